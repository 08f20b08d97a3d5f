"""Event payload contracts: one definition shared by producers and consumers.

Each publishing service has its own module; importing this package registers them all.
Additive changes only; a breaking change gets a new ``.vN`` type.
"""

from srs_common.contracts import access, projects
from srs_common.contracts.base import REGISTRY, Contract, contract_for
from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.projects import ProjectApproved, ProjectMember

SERVICE_TOPICS = {
    "accreditation": "srs.accreditation",
    "projects": "srs.projects",
    "clearance": "srs.clearance",
    "access": "srs.access",
    "booking": "srs.booking",
}

__all__ = [
    "REGISTRY",
    "SERVICE_TOPICS",
    "Contract",
    "ProjectApproved",
    "ProjectMember",
    "ProjectSpaceProvisioned",
    "access",
    "contract_for",
    "projects",
]
