"""Request and response models of the access API, one module per feature (as api/)."""

from srs_access.schemas.catalogue import (
    DatasetCreate,
    DatasetFields,
    DatasetRead,
    OrganisationCreate,
    OrganisationFields,
    OrganisationRead,
)
from srs_access.schemas.clients import (
    ApiClientCreate,
    ApiClientRead,
    ApiClientWithSecret,
    PartnerScope,
    SecretRotation,
)
from srs_access.schemas.common import AccessLevelName, Id, ProjectId, Setting, TokenResponse
from srs_access.schemas.decisions import AccessDecisionCreate, AccessDecisionRead, DenyReason
from srs_access.schemas.home_working import HomeWorkingCreate, HomeWorkingRead, HomeWorkingReason
from srs_access.schemas.ingestion import IngestionDecision, IngestionRead
from srs_access.schemas.requirements import DatasetRequirementIn, DatasetRequirementsIn
from srs_access.schemas.spaces import AccountRead, ProjectSpaceRead

__all__ = [
    "AccessDecisionCreate",
    "AccessDecisionRead",
    "AccessLevelName",
    "AccountRead",
    "ApiClientCreate",
    "ApiClientRead",
    "ApiClientWithSecret",
    "DatasetCreate",
    "DatasetFields",
    "DatasetRead",
    "DatasetRequirementIn",
    "DatasetRequirementsIn",
    "DenyReason",
    "HomeWorkingCreate",
    "HomeWorkingRead",
    "HomeWorkingReason",
    "Id",
    "IngestionDecision",
    "IngestionRead",
    "OrganisationCreate",
    "OrganisationFields",
    "OrganisationRead",
    "PartnerScope",
    "ProjectId",
    "ProjectSpaceRead",
    "SecretRotation",
    "Setting",
    "TokenResponse",
]
