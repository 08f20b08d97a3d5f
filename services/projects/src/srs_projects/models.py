"""Every ORM model of the projects service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from srs_common.audit import AuditLog
from srs_common.contracts.projects import ProjectRole, ProjectsAuditAnchored
from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table
from srs_projects.domain import Gateway


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)
# Decisions on projects, member requests and extensions: the hash-chained audit log.
audit_log = AuditLog(Base.metadata, service="projects", anchored=ProjectsAuditAnchored)


class Project(Base):
    """A research project application and, once approved, the project itself."""

    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    lay_summary: Mapped[str] = mapped_column(Text, default="")
    public_benefit: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    legal_gateway: Mapped[Gateway] = mapped_column(String(10))
    dataset_ids: Mapped[list[str]] = mapped_column(JSON)
    expected_start_date: Mapped[dt.date | None] = mapped_column(Date)
    expected_end_date: Mapped[dt.date] = mapped_column(Date)
    ethics_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    data_source_acknowledged: Mapped[bool] = mapped_column(Boolean, default=False)
    # The applicant asks for priority; only the panel grants it (``priority``), and only
    # granted priority is published and moves the project up other services' queues.
    priority_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    # The linkage section: None when no linkage is requested (see schemas.Linkage).
    linkage: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), index=True)
    lead_researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    conditions: Mapped[str | None] = mapped_column(Text)
    final_publications: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # A completed project nominated by staff as a case study (domain.CaseStudy); only a
    # consenting one is shown as such on the public register.
    case_study: Mapped[str | None] = mapped_column(String(20))
    case_study_reason: Mapped[str | None] = mapped_column(Text)
    case_study_nominated_by: Mapped[str | None] = mapped_column(String(100))
    case_study_nominated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    case_study_answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Why a suspended project is suspended (domain.SuspensionReason); None otherwise.
    suspension_reason: Mapped[str | None] = mapped_column(String(40))
    # Set when the project became overdue: accounts are disabled at this moment unless
    # the project is extended or completed first.
    overdue_grace_ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    overdue_reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    members: Mapped[list[ProjectMember]] = relationship(lazy="raise", back_populates="project")


class ProjectMember(Base):
    """A named person on a project; ``active`` is false while their accreditation lapses."""

    __tablename__ = "project_member"

    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[ProjectRole] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str | None] = mapped_column(String(200))
    supervisor_id: Mapped[str | None] = mapped_column(String(100))
    inactive_reason: Mapped[str | None] = mapped_column(String(40))

    project: Mapped[Project] = relationship(lazy="raise", back_populates="members")


class ExtensionRequest(Base):
    """The lead asks to move the expected completion date; support decides."""

    __tablename__ = "extension_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    requested_end_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class MemberRequest(Base):
    """A request to add a member who will see data to an approved or running project;
    staff (or the panel, by setting) approve it before the member's account is enabled."""

    __tablename__ = "member_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    researcher_id: Mapped[str] = mapped_column(String(100))
    role: Mapped[ProjectRole] = mapped_column(String(40))
    name: Mapped[str | None] = mapped_column(String(200))
    supervisor_id: Mapped[str | None] = mapped_column(String(100))
    # requested -> approved | refused | withdrawn
    status: Mapped[str] = mapped_column(String(20), index=True)
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)


class ResearcherAccreditation(Base):
    """Read model of every accreditation a researcher holds (an old provisional and a new
    full one, say), built from accreditation events; the best current one decides."""

    __tablename__ = "held_accreditation"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    accreditation_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    # occurred_at of the newest event applied: older ones arriving late are ignored.
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ResearcherOrganisation(Base):
    """Read model of each researcher's organisation (a project's organisation is its
    lead's) and name. The researcher record's events decide; an accreditation event's organisation
    only fills in until one of those arrives."""

    __tablename__ = "researcher_organisation"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(100))
    # The name on the researcher record (shown for members), once such an event arrived.
    name: Mapped[str | None] = mapped_column(String(200))
    from_researcher_record: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class CompletionReminder(Base):
    """One reminder per project and completion date: the unique key makes it once-only
    even when two replicas run the job at the same moment."""

    __tablename__ = "completion_reminder"
    __table_args__ = (UniqueConstraint("project_id", "expected_end_date"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"))
    expected_end_date: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkageTask(Base):
    """The SRS team's IDBR matching work for an approved project (linkage.LinkageState:
    pending -> in_progress -> completed | failed); one per project."""

    __tablename__ = "linkage_task"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), unique=True)
    method: Mapped[str] = mapped_column(String(20))  # crn | names_addresses
    crn_count: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    finished_by: Mapped[str | None] = mapped_column(String(100))
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    matched_count: Mapped[int | None] = mapped_column()
    unmatched_count: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    extract_id: Mapped[str | None] = mapped_column(String(100))


class LinkedDatasetRequest(Base):
    """A request for ONS to create a new linked dataset of wider benefit; support
    assesses the four factors and agrees or declines it (linkage.RequestState)."""

    __tablename__ = "linked_dataset_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(100), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))
    title: Mapped[str] = mapped_column(String(300))
    source_dataset_ids: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(Text)
    wider_benefit: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The four factors as support assessed them (linkage.schemas.Assessment), or None.
    assessment: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    assessed_by: Mapped[str | None] = mapped_column(String(100))
    assessed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reasons: Mapped[str | None] = mapped_column(Text)
    dataset_id: Mapped[str | None] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class CataloguedDataset(Base):
    """Read model of the access catalogue (``dataset.catalogued``): each dataset's title
    and owner, so a linked dataset request knows which data owners must support it."""

    __tablename__ = "catalogued_dataset"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    # What the dataset requires of a project before approval (contracts.access.
    # DatasetRequirement as JSON): each becomes a DatasetRequirementTask on applications.
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DatasetRequirementTask(Base):
    """One requirement of a requested dataset (the LS supplementary form) on one
    application: the lead completes it, the dataset's team (``accepted_by``, a data-owner
    organisation) or support accepts or returns it (requirements.rules.RequirementStatus);
    the panel cannot approve until every one is accepted."""

    __tablename__ = "dataset_requirement"
    __table_args__ = (UniqueConstraint("project_id", "dataset_id", "key"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    dataset_id: Mapped[str] = mapped_column(String(100))
    dataset_title: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(200))
    accepted_by: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The form's questions as the catalogue asked them when the task was (re)opened.
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    answers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    return_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by: Mapped[str | None] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
