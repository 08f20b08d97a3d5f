"""Events published by the access service on ``srs.access``."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from srs_common.contracts.base import AuditAnchored, Contract

TOPIC = "srs.access"


class ProjectSpaceProvisioned(Contract):
    """A project's space exists with its datasets mapped; published once per project."""

    type: ClassVar[str] = "srs.project_space.provisioned.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    space_id: str
    dataset_ids: list[str]
    accounts_enabled: list[str]
    provisioned_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "project_id": "prj_01J9Z8Q4V6",
        "space_id": "spc_01J9Z8R2K1",
        "dataset_ids": ["ds-csew-2019"],
        "accounts_enabled": ["res-alice"],
        "provisioned_at": "2026-11-25T10:00:01Z",
    }


_WHEN = "2026-11-25T10:00:00Z"

AccessLevel = Literal["safe_setting", "aoc_office", "home"]
Setting = Literal["safe_room", "safepod", "office", "home"]


class ProjectSpaceArchived(Contract):
    """The project completed: its space is archived and every account disabled."""

    type: ClassVar[str] = "srs.project_space.archived.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    space_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "project_id": "prj_01J9Z8Q4V6",
        "space_id": "spc_01J9Z8R2K1",
        "occurred_at": _WHEN,
    }


class AccountEnabled(Contract):
    """A researcher may use a project's data."""

    type: ClassVar[str] = "srs.account.enabled.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    researcher_id: str
    role: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "role": "lead",
        "occurred_at": _WHEN,
    }


class AccountDisabled(Contract):
    """A researcher may no longer use a project's data, and why."""

    type: ClassVar[str] = "srs.account.disabled.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    researcher_id: str
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "reason": "accreditation suspended",
        "occurred_at": _WHEN,
    }


class RequirementKind(StrEnum):
    """The kinds of extra step a catalogue entry can require before a project may use it."""

    SUPPLEMENTARY_FORM = "supplementary_form"


class FormQuestion(BaseModel):
    """One question a supplementary form asks; ``choices`` (when given) are the only answers
    accepted."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    hint: str | None = None
    choices: list[str] = []
    required: bool = True


class DatasetRequirement(BaseModel):
    """An extra step a dataset requires of every project that asks for it: a supplementary
    form the lead completes and ``accepted_by`` (a data-owner organisation: the ``org``
    claim of the data_owner tokens that may accept it) accepts or returns."""

    model_config = ConfigDict(frozen=True)

    key: str
    kind: RequirementKind = RequirementKind.SUPPLEMENTARY_FORM
    name: str
    accepted_by: str
    description: str = ""
    questions: list[FormQuestion] = []


class DatasetCatalogued(Contract):
    """A dataset was added to the catalogue or its settings changed; ``requirements`` are
    the extra steps a project asking for it must complete before approval (absent from
    events published before requirements existed: none)."""

    type: ClassVar[str] = "srs.dataset.catalogued.v1"
    topic: ClassVar[str] = TOPIC

    dataset_id: str
    title: str
    owner: str
    # Ordered, lowest trust needed first: safe_setting < aoc_office < home.
    access_level: AccessLevel
    disclosure_threshold: int
    operational_id_columns: list[str] = []
    requirements: list[DatasetRequirement] = []
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "dataset_id": "ds-csew-2019",
        "title": "Crime Survey for England and Wales 2019",
        "owner": "ONS",
        "access_level": "home",
        "disclosure_threshold": 10,
        "operational_id_columns": [],
        "occurred_at": _WHEN,
    }


class HomeWorkingRequested(Contract):
    """An organisation asked for home working for named researchers on named projects; the
    data owners of ``dataset_ids`` and support staff decide."""

    type: ClassVar[str] = "srs.home_working.requested.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    organisation_id: str
    researcher_ids: list[str]
    project_ids: list[str]
    dataset_ids: list[str] = []
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "request_id": "hw_1",
        "organisation_id": "org-ntu",
        "researcher_ids": ["res-alice"],
        "project_ids": ["prj_01J9Z8Q4V6"],
        "dataset_ids": ["ds-csew-2019"],
        "occurred_at": _WHEN,
    }


class HomeWorkingApproved(Contract):
    """Home working approved for named researchers on named projects."""

    type: ClassVar[str] = "srs.home_working.approved.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    organisation_id: str
    researcher_ids: list[str]
    project_ids: list[str]
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "request_id": "hw_1",
        "organisation_id": "org-ntu",
        "researcher_ids": ["res-alice"],
        "project_ids": ["prj_01J9Z8Q4V6"],
        "occurred_at": _WHEN,
    }


class HomeWorkingRefused(Contract):
    """A home-working request was refused, with the reason."""

    type: ClassVar[str] = "srs.home_working.refused.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    organisation_id: str
    researcher_ids: list[str]
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        "request_id": "hw_1",
        "organisation_id": "org-ntu",
        "researcher_ids": ["res-alice"],
        "reason": "organisation has no current agreement",
        "occurred_at": _WHEN,
    }


class HomeWorkingRevoked(Contract):
    """A home-working approval was withdrawn."""

    type: ClassVar[str] = "srs.home_working.revoked.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    organisation_id: str
    researcher_ids: list[str]
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = HomeWorkingRefused.example


class _AccessDecision(Contract):
    decision_id: str
    researcher_id: str
    project_id: str
    setting: Setting
    country: str
    reasons: list[str] = []
    occurred_at: dt.datetime


class AccessGranted(_AccessDecision):
    """A session start was allowed."""

    type: ClassVar[str] = "srs.access.granted.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "decision_id": "dec_1",
        "researcher_id": "res-alice",
        "project_id": "prj_01J9Z8Q4V6",
        "setting": "safe_room",
        "country": "GB",
        "reasons": [],
        "occurred_at": _WHEN,
    }


class AccessDenied(_AccessDecision):
    """A session start was refused, with every reason that applied."""

    type: ClassVar[str] = "srs.access.denied.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "decision_id": "dec_2",
        "researcher_id": "res-alice",
        "project_id": "prj_01J9Z8Q4V6",
        "setting": "home",
        "country": "FR",
        "reasons": ["outside_uk", "no_home_working"],
        "occurred_at": _WHEN,
    }


class AuditChainAnchored(AuditAnchored):
    """The access audit chain was extended: its newest entry and that entry's hash.

    Published after every sealing batch so the chain's head is kept outside the access
    database (the operations event store holds every anchor); an anchor taken from the
    stream can be checked with ``GET /v1/audit/access/verification?anchor_seq=&anchor_hash=``.
    """

    type: ClassVar[str] = "srs.audit_chain.anchored.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "seq": 1042,
        "entries": 17,
        "anchored_at": _WHEN,
        "hash": "9f2c1e7b4a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60",
    }
