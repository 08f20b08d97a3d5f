"""Every ORM model of the clearance service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.audit import AuditLog
from srs_common.contracts.clearance import ClearanceAuditAnchored
from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)
# Every decision and download on an output request: the hash-chained, anchored audit log.
audit_log = AuditLog(Base.metadata, service="clearance", anchored=ClearanceAuditAnchored)


class ProjectView(Base):
    """What clearance knows about a project, from the projects and access events."""

    __tablename__ = "project_view"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    # The approved project's title (shown to checkers beside each request).
    title: Mapped[str | None] = mapped_column(String(300))
    organisation_id: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))  # approved|active|suspended|completed
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    dataset_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    space_id: Mapped[str | None] = mapped_column(String(60))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ProjectMemberView(Base):
    __tablename__ = "project_member_view"

    project_id: Mapped[str] = mapped_column(String(60), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(40))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ResearcherView(Base):
    """A researcher's name from the accreditation service's researcher events (who made a
    request, shown by name rather than id); the newest event decides."""

    __tablename__ = "researcher_view"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # occurred_at of the newest event applied: older ones arriving late are ignored.
    as_of: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DatasetView(Base):
    """A catalogued dataset's disclosure threshold and operational identifier columns (from
    ``dataset.catalogued``): the code scan treats a selection on those columns as a search."""

    __tablename__ = "dataset_view"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    disclosure_threshold: Mapped[int] = mapped_column(Integer)
    operational_id_columns: Mapped[list[str]] = mapped_column(JSON, default=list)


class OutputRequest(Base):
    __tablename__ = "output_request"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(60), index=True)
    organisation_id: Mapped[str | None] = mapped_column(String(100), index=True)
    requester_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    dataset_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    exception_justification: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), index=True)
    automatic_status: Mapped[str | None] = mapped_column(String(10))
    check_report: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # Why the decision approved what every independent review rejected (checkers' eyes only).
    override_reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), index=True)
    clock_paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    overdue_flagged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    destruction_status: Mapped[str | None] = mapped_column(String(20), index=True)
    destruction_deadline: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    destruction_overdue_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class OutputGroup(Base):
    """Files that belong together, with what they are and the controls applied."""

    __tablename__ = "output_group"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("output_request.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    context: Mapped[str] = mapped_column(Text)
    controls: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutputFile(Base):
    __tablename__ = "output_file"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("output_request.id"), index=True)
    group_id: Mapped[str] = mapped_column(ForeignKey("output_group.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))  # table|code|document
    table_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    check_json: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Review(Base):
    """One checker's independent vote on a request."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("output_id", "checker_id"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    output_id: Mapped[str] = mapped_column(ForeignKey("output_request.id"), index=True)
    checker_id: Mapped[str] = mapped_column(String(100))
    vote: Mapped[str] = mapped_column(String(10))  # approve|reject
    reason: Mapped[str] = mapped_column(Text)
    # The reviewer's verdict on each file (file id -> approve|reject|changes), if given.
    file_votes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Comment(Base):
    __tablename__ = "output_comment"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    output_id: Mapped[str] = mapped_column(ForeignKey("output_request.id"), index=True)
    author_id: Mapped[str] = mapped_column(String(100))
    visibility: Mapped[str] = mapped_column(String(10))  # private|shared
    body: Mapped[str] = mapped_column(Text)
    # The file the comment is about (none: the whole request).
    file_id: Mapped[str | None] = mapped_column(String(60))
    # comment | question (a clarification asked) | answer (the requester's reply)
    kind: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
