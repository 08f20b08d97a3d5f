"""Routers of the access API, one module per feature."""

from srs_access.api import (
    catalogue,
    clients,
    decisions,
    directory,
    home_working,
    ingestion,
    pseudonymise,
    requirements,
    spaces,
)
from srs_access.models import audit_log
from srs_common.audit.api import audit_router

ROUTERS = [
    catalogue.router,
    directory.router,
    directory.staff_router,
    requirements.router,
    spaces.router,
    decisions.router,
    audit_router(audit_log),
    home_working.router,
    ingestion.router,
    pseudonymise.router,
    clients.router,
]
