"""Events published by the accreditation service on ``srs.accreditation``.

Each carries what a consumer needs for its own read model (researcher, organisation,
kind, validity, status, reason) so nobody has to call back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.contracts.base import PERSONAL, AuditAnchored, Contract

TOPIC = "srs.accreditation"

AccreditationKind = Literal["full", "provisional", "srsa_approved"]
AccreditationState = Literal["current", "expired", "suspended", "revoked"]

_WHEN = "2026-11-25T10:00:00Z"


class ResearcherRegistered(Contract):
    """A researcher registered a profile."""

    type: ClassVar[str] = "srs.researcher.registered.v1"
    topic: ClassVar[str] = TOPIC

    researcher_id: str
    name: str = Field(json_schema_extra=PERSONAL)
    email: str = Field(json_schema_extra=PERSONAL)
    organisation_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "researcher_id": "res-alice",
        "name": "Alice Example",
        "email": "alice@ntu.example",
        "organisation_id": "org-ntu",
        "occurred_at": _WHEN,
    }


class ResearcherUpdated(Contract):
    """A researcher's profile changed (name, e-mail or organisation)."""

    type: ClassVar[str] = "srs.researcher.updated.v1"
    topic: ClassVar[str] = TOPIC

    researcher_id: str
    name: str = Field(json_schema_extra=PERSONAL)
    email: str = Field(json_schema_extra=PERSONAL)
    organisation_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = ResearcherRegistered.example


class ApplicationSubmitted(Contract):
    """An accreditation application was submitted (or resubmitted) to the panel."""

    type: ClassVar[str] = "srs.accreditation.application_submitted.v1"
    topic: ClassVar[str] = TOPIC

    application_id: str
    researcher_id: str
    organisation_id: str
    kind: AccreditationKind
    resubmission: bool = False
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "application_id": "app_1",
        "researcher_id": "res-alice",
        "organisation_id": "org-ntu",
        "kind": "full",
        "resubmission": False,
        "occurred_at": _WHEN,
    }


class ApplicationRejected(Contract):
    """The panel rejected an accreditation application, with its reasons."""

    type: ClassVar[str] = "srs.accreditation.application_rejected.v1"
    topic: ClassVar[str] = TOPIC

    application_id: str
    researcher_id: str
    organisation_id: str
    kind: AccreditationKind
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "application_id": "app_1",
        "researcher_id": "res-alice",
        "organisation_id": "org-ntu",
        "kind": "full",
        "reason": "no evidence of quantitative experience",
        "occurred_at": _WHEN,
    }


class ApplicationInformationRequested(Contract):
    """The panel asked the applicant for more information."""

    type: ClassVar[str] = "srs.accreditation.information_requested.v1"
    topic: ClassVar[str] = TOPIC

    application_id: str
    researcher_id: str
    organisation_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "application_id": "app_1",
        "researcher_id": "res-alice",
        "organisation_id": "org-ntu",
        "occurred_at": _WHEN,
    }


class RecognisedService(BaseModel):
    """A secure data service that recognises the accreditation."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class _AccreditationState(Contract):
    accreditation_id: str
    researcher_id: str
    organisation_id: str
    kind: AccreditationKind
    status: AccreditationState
    valid_from: dt.date
    valid_until: dt.date
    reason: str | None = None
    occurred_at: dt.datetime
    # Optional (added later): the services the accreditation is recognised by.
    recognised_by: list[RecognisedService] | None = None

    example: ClassVar[dict[str, Any]] = {
        "accreditation_id": "acc_1",
        "researcher_id": "res-alice",
        "organisation_id": "org-ntu",
        "kind": "full",
        "status": "current",
        "valid_from": "2026-11-25",
        "valid_until": "2029-11-24",
        "reason": None,
        "occurred_at": _WHEN,
        "recognised_by": [
            {"id": "srs", "name": "ONS Secure Research Service"},
            {
                "id": "dea-accredited-services",
                "name": "Other secure data services accredited under the Digital Economy Act 2017",
            },
        ],
    }


class AccreditationGranted(_AccreditationState):
    """The panel approved an application: the researcher is accredited until ``valid_until``."""

    type: ClassVar[str] = "srs.accreditation.granted.v1"
    topic: ClassVar[str] = TOPIC

    application_id: str | None = None
    supervisor_id: str | None = None
    conditions: str | None = None


class AccreditationRenewed(_AccreditationState):
    """An accreditation was renewed; ``valid_until`` is the new end date."""

    type: ClassVar[str] = "srs.accreditation.renewed.v1"
    topic: ClassVar[str] = TOPIC

    previous_valid_until: dt.date | None = None
    application_id: str | None = None


class AccreditationExpiring(_AccreditationState):
    """Reminder: the accreditation ends in ``days_before`` days (90 and 30)."""

    type: ClassVar[str] = "srs.accreditation.expiring.v1"
    topic: ClassVar[str] = TOPIC

    days_before: int

    example: ClassVar[dict[str, Any]] = {**_AccreditationState.example, "days_before": 30}


class AccreditationExpired(_AccreditationState):
    """The accreditation passed its end date."""

    type: ClassVar[str] = "srs.accreditation.expired.v1"
    topic: ClassVar[str] = TOPIC


class AccreditationSuspended(_AccreditationState):
    """Service staff (or a breach such as overdue output destruction) suspended it."""

    type: ClassVar[str] = "srs.accreditation.suspended.v1"
    topic: ClassVar[str] = TOPIC


class AccreditationReinstated(_AccreditationState):
    """A suspended accreditation is current again."""

    type: ClassVar[str] = "srs.accreditation.reinstated.v1"
    topic: ClassVar[str] = TOPIC


class AccreditationRevoked(_AccreditationState):
    """The accreditation was revoked for good, with a reason."""

    type: ClassVar[str] = "srs.accreditation.revoked.v1"
    topic: ClassVar[str] = TOPIC


class AccreditationAuditAnchored(AuditAnchored):
    """The accreditation service's audit chain (the panel's decisions, support's
    actions on accreditations and organisations) was extended: its newest entry and that
    entry's hash."""

    type: ClassVar[str] = "srs.accreditation.audit_anchored.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "seq": 88,
        "entries": 2,
        "anchored_at": _WHEN,
        "hash": "7c3e9a1f0b2d4c6e8a0f1b3d5c7e9a2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c",
    }
