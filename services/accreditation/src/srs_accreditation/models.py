"""Every ORM model of the accreditation service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.audit import AuditLog
from srs_common.contracts.accreditation import AccreditationAuditAnchored
from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)
# The panel's decisions and support's actions: the hash-chained audit log.
audit_log = AuditLog(Base.metadata, service="accreditation", anchored=AccreditationAuditAnchored)


class Researcher(Base):
    """A researcher's profile; ``id`` is the ``researcher_id`` claim of their token."""

    __tablename__ = "researcher"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(320))
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    # {"degree": ..., "degree_quantitative": bool, "quantitative_research_years": int}
    qualifications: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The register's search (a substring of the name or the organisation, in any case) reads
# trigram indexes instead of every researcher (PostgreSQL only; SQLite scans).
event.listen(
    Base.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"
    ),
)
for _column in ("name", "organisation_id"):
    Index(
        f"ix_researcher_{_column}_trgm",
        func.lower(Researcher.__table__.c[_column]).label(f"lower_{_column}"),
        postgresql_using="gin",
        postgresql_ops={f"lower_{_column}": "gin_trgm_ops"},
    ).ddl_if(dialect="postgresql")


class OrganisationChange(Base):
    """Support moved a researcher to another organisation: who, when, from, to and why.

    Only ever inserted: the history of a researcher's organisation, which is otherwise
    the one of their verified identity when they registered."""

    __tablename__ = "organisation_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researcher.id"), index=True)
    from_organisation_id: Mapped[str] = mapped_column(String(100))
    to_organisation_id: Mapped[str] = mapped_column(String(100))
    changed_by: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Application(Base):
    """An application for accreditation (or its renewal), and the panel's decision."""

    __tablename__ = "application"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researcher.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(30), index=True)
    supervisor_id: Mapped[str | None] = mapped_column(String(100))
    training_completed_on: Mapped[dt.date | None] = mapped_column(Date)
    statement: Mapped[str] = mapped_column(Text, default="")
    information_requested: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    accreditation_id: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Accreditation(Base):
    """A researcher's accredited (or approved) status and its validity."""

    __tablename__ = "accreditation"
    __table_args__ = (Index("ix_accreditation_status_valid_until", "status", "valid_until"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researcher.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date] = mapped_column(Date)
    application_id: Mapped[str | None] = mapped_column(String(40))
    supervisor_id: Mapped[str | None] = mapped_column(String(100))
    conditions: Mapped[str | None] = mapped_column(Text)
    status_reason: Mapped[str | None] = mapped_column(Text)
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ExpiryReminder(Base):
    """One reminder sent; unique per accreditation, end date and threshold so that two
    job replicas (or a rerun) never send it twice, and a renewal starts afresh."""

    __tablename__ = "expiry_reminder"
    __table_args__ = (UniqueConstraint("accreditation_id", "valid_until", "days_before"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    accreditation_id: Mapped[str] = mapped_column(ForeignKey("accreditation.id"))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    days_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HelpdeskRequest(Base):
    """A researcher's request to the Research Support Helpdesk, answered by one team.

    ``expected_answer_by`` is set while the request waits for staff (status ``open``) and
    orders the team's queue; the reference is the researcher's own project, output or
    booking it is about, as they chose it (the label is what they saw)."""

    __tablename__ = "helpdesk_request"
    __table_args__ = (
        Index("ix_helpdesk_request_team_status_expected", "team", "status", "expected_answer_by"),
        Index("ix_helpdesk_request_researcher_updated", "researcher_id", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(ForeignKey("researcher.id"))
    subject: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30))
    team: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    reference_kind: Mapped[str | None] = mapped_column(String(20))
    reference_id: Mapped[str | None] = mapped_column(String(100))
    reference_label: Mapped[str | None] = mapped_column(String(300))
    expected_answer_by: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    first_answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class HelpdeskMessage(Base):
    """One message in a request's thread: the researcher's, a staff reply, or a staff
    internal note (never shown to the researcher). Only ever inserted."""

    __tablename__ = "helpdesk_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("helpdesk_request.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(100))
    author: Mapped[str] = mapped_column(String(20))
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
