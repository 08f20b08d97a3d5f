"""Routers of the projects API, one module per feature (``<feature>/routes.py``)."""

from __future__ import annotations

from fastapi import APIRouter

from srs_projects.applications import routes as applications
from srs_projects.lifecycle import routes as lifecycle
from srs_projects.linkage import routes as linkage
from srs_projects.members import routes as members
from srs_projects.register import routes as register
from srs_projects.requirements import routes as requirements
from srs_projects.review import routes as review

router = APIRouter()
for feature in (applications, review, members, lifecycle, linkage, requirements):
    router.include_router(feature.router)
register_router = register.router
