"""Every ORM model of the projects service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)


class Project(Base):
    """A research project application and, once approved, the project itself."""

    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    lay_summary: Mapped[str] = mapped_column(Text, default="")
    public_benefit: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    legal_gateway: Mapped[str] = mapped_column(String(10))
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
    linkage: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), index=True)
    lead_researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    conditions: Mapped[str | None] = mapped_column(Text)
    final_publications: Mapped[list[dict] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    activated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
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
    role: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    name: Mapped[str | None] = mapped_column(String(200))
    supervisor_id: Mapped[str | None] = mapped_column(String(100))
    inactive_reason: Mapped[str | None] = mapped_column(String(40))

    project: Mapped[Project] = relationship(lazy="raise", back_populates="members")


class ProjectDecision(Base):
    """One panel (or staff) decision on a project, with who made it and why."""

    __tablename__ = "project_decision"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("project.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    decided_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


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
    role: Mapped[str] = mapped_column(String(40))
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
    lead's). The researcher record's events decide; an accreditation event's organisation
    only fills in until one of those arrives."""

    __tablename__ = "researcher_organisation"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(100))
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
