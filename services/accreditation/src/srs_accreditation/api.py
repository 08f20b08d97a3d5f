"""The accreditation API: one router per feature, each in its package's ``routes.py``."""

from __future__ import annotations

from fastapi import APIRouter

from srs_accreditation.accreditations.routes import accreditations
from srs_accreditation.applications.routes import applications
from srs_accreditation.helpdesk.routes import helpdesk
from srs_accreditation.register.routes import public
from srs_accreditation.researchers.routes import researchers

router = APIRouter(prefix="/v1")

for sub in (researchers, applications, accreditations, helpdesk, public):
    router.include_router(sub)
