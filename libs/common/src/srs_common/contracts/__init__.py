"""Event payload contracts: one definition shared by producers and consumers.

Each publishing service owns one module (``accreditation``, ``projects``, ``access``,
``booking``, ``clearance``); importing this package registers every contract in
:data:`REGISTRY` by its ``type`` string. Additive changes only; a breaking change gets a
new ``.vN`` type.
"""

from srs_common.contracts import (
    access,
    accounts,
    accreditation,
    booking,
    case_studies,
    clearance,
    helpdesk,
    ingestion,
    linkage,
    ops,
    projects,
    requirements,
)
from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.base import REGISTRY, Contract, contract_for
from srs_common.contracts.projects import ProjectApproved, ProjectMember


def platform_contracts() -> dict[str, type[Contract]]:
    """The platform's own contracts (the registry may also hold test-only ones)."""
    return {t: c for t, c in REGISTRY.items() if c.__module__.startswith("srs_common.contracts.")}


SERVICE_TOPICS = {
    "accreditation": accreditation.TOPIC,
    "projects": projects.TOPIC,
    "clearance": clearance.TOPIC,
    "access": access.TOPIC,
    "booking": booking.TOPIC,
    "ops": ops.TOPIC,
}

__all__ = [
    "REGISTRY",
    "SERVICE_TOPICS",
    "Contract",
    "ProjectApproved",
    "ProjectMember",
    "ProjectSpaceProvisioned",
    "access",
    "accounts",
    "accreditation",
    "booking",
    "case_studies",
    "clearance",
    "contract_for",
    "helpdesk",
    "ingestion",
    "linkage",
    "ops",
    "platform_contracts",
    "projects",
    "requirements",
]
