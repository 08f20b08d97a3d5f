"""Events published by the projects service on ``srs.projects``."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from srs_common.contracts.base import Contract

TOPIC = "srs.projects"

ProjectRole = Literal["lead", "researcher", "peer_reviewer_data", "peer_reviewer_outputs"]


class ProjectMember(BaseModel):
    """A named member of a project and the role they hold on it."""

    model_config = ConfigDict(frozen=True)

    researcher_id: str
    role: ProjectRole


class ProjectApproved(Contract):
    """The Research Accreditation Panel approved a project: everything access needs to
    provision its space (datasets, members and roles, end date, legal gateway)."""

    type: ClassVar[str] = "srs.project.approved.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    title: str
    organisation_id: str
    legal_gateway: Literal["DEA", "SRSA"]
    dataset_ids: list[str]
    members: list[ProjectMember]
    expected_end_date: dt.date
    priority: bool = False
    conditions: str | None = None
    approved_at: dt.datetime

    example: ClassVar[dict] = {
        "project_id": "prj_01J9Z8Q4V6",
        "title": "Burglary security effectiveness in England and Wales",
        "organisation_id": "org-ntu",
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019"],
        "members": [{"researcher_id": "res-alice", "role": "lead"}],
        "expected_end_date": "2027-06-30",
        "priority": False,
        "conditions": None,
        "approved_at": "2026-11-25T10:00:00Z",
    }
