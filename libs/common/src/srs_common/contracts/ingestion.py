"""Events of data and code ingestion, published by the access service on ``srs.access``: a
researcher's files requested into a project space, checked, decided by the SRS team and
transferred."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from srs_common.contracts.access import TOPIC
from srs_common.contracts.base import Contract

_WHEN = "2026-11-25T10:00:00Z"


class IngestionFinding(BaseModel):
    """One finding of the automatic check: the file, what it is, refuse or flag, and why."""

    model_config = ConfigDict(frozen=True)

    file: str
    kind: str
    severity: str
    reason: str


class _Ingestion(Contract):
    request_id: str
    project_id: str
    researcher_id: str
    occurred_at: dt.datetime


class IngestionRequested(_Ingestion):
    """A researcher asked for their own data or code (``files``, by name) to be brought into
    a project space."""

    type: ClassVar[str] = "srs.ingestion.requested.v1"
    topic: ClassVar[str] = TOPIC

    kind: str
    files: list[str]

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ing_01JA",
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "kind": "code",
        "files": ["derive.do"],
        "occurred_at": _WHEN,
    }


class IngestionChecked(_Ingestion):
    """The automatic check of the files' contents ran: ``passed`` unless a finding refuses
    (a package from a public repository); flags ask the team to look."""

    type: ClassVar[str] = "srs.ingestion.checked.v1"
    topic: ClassVar[str] = TOPIC

    passed: bool
    findings: list[IngestionFinding]

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ing_01JA",
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "passed": True,
        "findings": [],
        "occurred_at": _WHEN,
    }


class IngestionApproved(_Ingestion):
    """The SRS team approved the request; the files are transferred next."""

    type: ClassVar[str] = "srs.ingestion.approved.v1"
    topic: ClassVar[str] = TOPIC

    decided_by: str

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ing_01JA",
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "decided_by": "support-1",
        "occurred_at": _WHEN,
    }


class IngestionRefused(_Ingestion):
    """The SRS team refused the request, with the reason the researcher reads."""

    type: ClassVar[str] = "srs.ingestion.refused.v1"
    topic: ClassVar[str] = TOPIC

    decided_by: str
    reason: str

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ing_01JA",
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "decided_by": "support-1",
        "reason": "the zip holds the dplyr package from CRAN",
        "occurred_at": _WHEN,
    }


class IngestionTransferred(_Ingestion):
    """The approved files were copied into the project space's store at ``location``."""

    type: ClassVar[str] = "srs.ingestion.transferred.v1"
    topic: ClassVar[str] = TOPIC

    location: str
    files: list[str]

    example: ClassVar[dict[str, Any]] = {
        "request_id": "ing_01JA",
        "project_id": "prj_01J9Z8Q4V6",
        "researcher_id": "res-alice",
        "location": "prj_01J9Z8Q4V6/ingested/ing_01JA",
        "files": ["derive.do"],
        "occurred_at": _WHEN,
    }
