"""Routers of the access API, one module per feature."""

from srs_access.api import (
    audit,
    catalogue,
    clients,
    decisions,
    home_working,
    ingestion,
    pseudonymise,
    spaces,
)

ROUTERS = [
    catalogue.router,
    spaces.router,
    decisions.router,
    audit.router,
    home_working.router,
    ingestion.router,
    pseudonymise.router,
    clients.router,
]
