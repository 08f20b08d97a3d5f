"""Events published by the projects service on ``srs.projects``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from srs_common.contracts.base import AuditAnchored, Contract

TOPIC = "srs.projects"

ProjectRole = Literal["lead", "researcher", "peer_reviewer_data", "peer_reviewer_outputs"]
# Why a project was suspended, for programs (``reason`` is the text for people): by service
# staff, by the service when the lead's accreditation was revoked, or when it overran.
SuspensionCause = Literal["staff", "lead_revoked", "overdue"]

# The roles that use a project's data; an outputs-only peer reviewer sees cleared outputs
# only and never gets a data account (consumers of member events share this reading).
DATA_ROLES: frozenset[str] = frozenset({"lead", "researcher", "peer_reviewer_data"})


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

    example: ClassVar[dict[str, Any]] = {
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


_WHEN = "2026-11-25T10:00:00Z"
_PROJECT = {"project_id": "prj_01J9Z8Q4V6", "organisation_id": "org-ntu", "occurred_at": _WHEN}


class ProjectSubmitted(Contract):
    """A project application went to the Research Accreditation Panel."""

    type: ClassVar[str] = "srs.project.submitted.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    title: str
    lead_researcher_id: str
    priority: bool = False
    resubmission: bool = False
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "title": "Burglary security effectiveness",
        "lead_researcher_id": "res-alice",
        "priority": False,
        "resubmission": False,
    }


class ProjectRejected(Contract):
    """The panel rejected a project application, with its reasons."""

    type: ClassVar[str] = "srs.project.rejected.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "reason": "public benefit not demonstrated",
    }


class ProjectInformationRequested(Contract):
    """The panel asked the lead researcher for more information."""

    type: ClassVar[str] = "srs.project.information_requested.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_PROJECT, "lead_researcher_id": "res-alice"}


class ProjectActivated(Contract):
    """The project's space is provisioned: the project is active."""

    type: ClassVar[str] = "srs.project.activated.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    dataset_ids: list[str]
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {**_PROJECT, "dataset_ids": ["ds-csew-2019"]}


class _MemberChange(Contract):
    project_id: str
    organisation_id: str
    researcher_id: str
    role: ProjectRole
    reason: str | None = None
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "researcher_id": "res-bob",
        "role": "researcher",
        "reason": None,
    }


class ProjectMemberAdded(_MemberChange):
    """A member joined an approved or active project."""

    type: ClassVar[str] = "srs.project.member_added.v1"
    topic: ClassVar[str] = TOPIC


class ProjectMemberRemoved(_MemberChange):
    """A member left the project."""

    type: ClassVar[str] = "srs.project.member_removed.v1"
    topic: ClassVar[str] = TOPIC


class ProjectMemberDeactivated(_MemberChange):
    """A member lost their accreditation (expired, suspended, revoked): inactive."""

    type: ClassVar[str] = "srs.project.member_deactivated.v1"
    topic: ClassVar[str] = TOPIC


class ProjectMemberReactivated(_MemberChange):
    """A deactivated member's accreditation is current again."""

    type: ClassVar[str] = "srs.project.member_reactivated.v1"
    topic: ClassVar[str] = TOPIC


class ProjectMemberRequested(_MemberChange):
    """Someone asked for a researcher to join an approved or active project; staff (or the
    panel, by setting) decide before the member's account is enabled. ``request_id`` names
    the request to decide on."""

    type: ClassVar[str] = "srs.project.member_requested.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str
    requested_by: str

    example: ClassVar[dict[str, Any]] = {
        **_MemberChange.example,
        "request_id": "mrq_01J9Z8Q4V6",
        "requested_by": "res-alice",
    }


class ProjectMemberRefused(_MemberChange):
    """A request to add a member was refused, with the reason."""

    type: ClassVar[str] = "srs.project.member_refused.v1"
    topic: ClassVar[str] = TOPIC

    request_id: str

    example: ClassVar[dict[str, Any]] = {
        **_MemberChange.example,
        "request_id": "mrq_01J9Z8Q4V6",
        "reason": "no need for data access stated",
    }


class ProjectLeadChanged(Contract):
    """Support staff handed the project over to a new lead (for example after the previous
    lead's accreditation was revoked)."""

    type: ClassVar[str] = "srs.project.lead_changed.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    previous_lead_researcher_id: str
    lead_researcher_id: str
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "previous_lead_researcher_id": "res-alice",
        "lead_researcher_id": "res-bob",
        "reason": "previous lead's accreditation revoked",
    }


class ProjectOverdue(Contract):
    """The project is past its expected completion date and not completed: reminders go to
    the lead; accounts are disabled at ``grace_ends_at`` unless it is extended or completed."""

    type: ClassVar[str] = "srs.project.overdue.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    expected_end_date: dt.date
    grace_ends_at: dt.datetime
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "expected_end_date": "2027-06-30",
        "grace_ends_at": "2027-07-30T00:00:00Z",
    }


class ProjectExtended(Contract):
    """The expected completion date moved (extension approved by service staff)."""

    type: ClassVar[str] = "srs.project.extended.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    previous_end_date: dt.date
    expected_end_date: dt.date
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "previous_end_date": "2027-06-30",
        "expected_end_date": "2027-12-31",
    }


class ProjectSuspended(Contract):
    """The project is suspended: no data access, bookings or outputs until resumed."""

    type: ClassVar[str] = "srs.project.suspended.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    reason: str
    occurred_at: dt.datetime
    # Added to v1 with defaults, so events published before them still read: as staff's,
    # the lead not named.
    cause: SuspensionCause = "staff"
    # The project's lead: for ``lead_revoked``, the researcher whose accreditation lapsed
    # (their own bookings are cancelled by that accreditation event, with its words).
    lead_researcher_id: str | None = None

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "reason": "ethics approval lapsed",
        "cause": "staff",
        "lead_researcher_id": "res-alice",
    }


class ProjectResumed(Contract):
    """A suspended project is active again."""

    type: ClassVar[str] = "srs.project.resumed.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = _PROJECT


class ProjectCompletionDue(Contract):
    """Reminder to the lead: the expected completion date is ``days_before`` days away."""

    type: ClassVar[str] = "srs.project.completion_due.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    expected_end_date: dt.date
    days_before: int
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "expected_end_date": "2027-06-30",
        "days_before": 30,
    }


class FinalPublication(BaseModel):
    model_config = ConfigDict(frozen=True)

    title: str
    url: str | None = None


class ProjectCompleted(Contract):
    """The project is complete: accounts go, bookings go, pre-publication outputs must be
    destroyed."""

    type: ClassVar[str] = "srs.project.completed.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    member_ids: list[str]
    final_publications: list[FinalPublication] = []
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "member_ids": ["res-alice", "res-bob"],
        "final_publications": [{"title": "Burglary and security", "url": "https://doi.org/10.0/x"}],
    }


class ProjectsAuditAnchored(AuditAnchored):
    """The projects service's audit chain (the panel's and support's decisions on
    projects) was extended: its newest entry and that entry's hash."""

    type: ClassVar[str] = "srs.projects.audit_anchored.v1"
    topic: ClassVar[str] = TOPIC

    example: ClassVar[dict[str, Any]] = {
        "seq": 131,
        "entries": 2,
        "anchored_at": _WHEN,
        "hash": "7c3e9a1f0b2d4c6e8a0f1b3d5c7e9a2b4d6f8a0c1e3b5d7f9a2c4e6b8d0f1a3c",
    }
