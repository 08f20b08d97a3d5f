"""Every ORM model of the access service.

Three groups: what access owns (catalogue, organisations, project spaces and accounts,
home working, ingestion requests, the audit log), read models built from other
services' events (projects and members, accreditations, bookings: each row remembers
the time of the event that last changed it so late, out-of-order events lose), and the
embedded identity provider's logins.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.audit import AuditLog
from srs_common.contracts.access import AuditChainAnchored
from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)
# Decisions and staff actions: the platform's hash-chained, anchored audit log.
audit_log = AuditLog(Base.metadata, service="access", anchored=AuditChainAnchored)


class Dataset(Base):
    """A catalogued de-identified dataset and the settings its owner permits."""

    __tablename__ = "dataset"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))
    # 1 safe room / SafePod only; 2 also AOC office; 3 also home (domain.AccessLevel).
    access_level: Mapped[int] = mapped_column(Integer)
    disclosure_threshold: Mapped[int] = mapped_column(Integer, default=10)
    operational_id_columns: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Extra steps a project asking for the dataset must complete before approval
    # (contracts.access.DatasetRequirement as JSON): the LS supplementary form, say.
    requirements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Organisation(Base):
    """A researcher's employer and its Assured Organisational Connectivity agreement."""

    __tablename__ = "organisation"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    contact_email: Mapped[str | None] = mapped_column(String(320))
    aoc_certified_until: Mapped[dt.date | None] = mapped_column(Date)
    # An existing (legacy) remote connection not yet moved to an agreement: researchers
    # may keep working from the office under it, never from home.
    legacy_remote_access: Mapped[bool] = mapped_column(Boolean, default=False)


class ProjectSpace(Base):
    __tablename__ = "project_space"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(20))  # active | archived
    dataset_ids: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Account(Base):
    """A researcher's data account on one project space."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("project_id", "researcher_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(String(40), index=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(200))


class ProjectView(Base):
    """Read model of a project (from ``srs.project.*``)."""

    __tablename__ = "project_view"

    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str | None] = mapped_column(String(100))
    # Its title, from the approval, for pages that name it (None until then).
    title: Mapped[str | None] = mapped_column(String(300))
    # unknown (a member event came first) | approved | active | suspended | completed
    status: Mapped[str] = mapped_column(String(20))
    dataset_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProjectDataset(Base):
    """Which datasets a project uses (from ``srs.project.*``), for decisions to find the
    project's most restricted dataset in the same statement as everything else."""

    __tablename__ = "project_dataset"

    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    dataset_id: Mapped[str] = mapped_column(String(100), primary_key=True)


class ProjectMemberView(Base):
    """Read model of one member of a project (from ``srs.project.*``)."""

    __tablename__ = "project_member_view"
    # A researcher's memberships, and one membership looked up researcher first: with
    # researcher_id alone, PostgreSQL's generic plan for the access decision's facts
    # (a prepared statement) took that index for (project, researcher) and filtered a
    # busy researcher's every membership (3,000 rows, 1.7 ms) instead of one row.
    __table_args__ = (
        Index("ix_project_member_view_researcher_project", "researcher_id", "project_id"),
    )

    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))  # active | inactive | removed
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class AccreditationView(Base):
    """Read model of one accreditation (from ``srs.accreditation.*``).

    One row per accreditation, not per researcher: a researcher may hold two at once
    (an old provisional and a new full), and the end of one must not hide the other.
    Whether a researcher is accredited is decided on their best row
    (``srs_access.spaces.BEST_ACCREDITATION_FIRST``)."""

    __tablename__ = "accreditation_view"

    accreditation_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    organisation_id: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class BookingView(Base):
    """Read model of a safe-room or SafePod booking (from ``srs.booking.*``)."""

    __tablename__ = "booking_view"
    __table_args__ = (Index("ix_booking_view_researcher_project", "researcher_id", "project_id"),)

    booking_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[str] = mapped_column(String(40))
    site_id: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))  # confirmed | attended | cancelled
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ResearcherView(Base):
    """Read model of a researcher's record (from ``srs.researcher.registered`` and
    ``.updated``): the organisation they work for, as the accreditation service keeps it.
    Access decisions take the organisation from here, never from the caller."""

    __tablename__ = "researcher_view"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(100))
    # The name on the record, so that staff and data owners read who, not an id.
    name: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class HomeWorkingRequest(Base):
    """A section 18 application to reach the service from home."""

    __tablename__ = "home_working_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    submitted_by: Mapped[str] = mapped_column(String(100))
    project_ids: Mapped[list[str]] = mapped_column(JSON)
    researcher_ids: Mapped[list[str]] = mapped_column(JSON)
    importance_to_government: Mapped[str] = mapped_column(Text)
    urgency_and_impact_of_delay: Mapped[str] = mapped_column(Text)
    organisation_machine_over_vpn: Mapped[bool] = mapped_column(Boolean)
    organisation_agreement_confirmed: Mapped[bool] = mapped_column(Boolean)
    # submitted | approved | refused | revoked
    status: Mapped[str] = mapped_column(String(20))
    # dataset id -> owner whose approval it needs (fixed when submitted)
    dataset_owners: Mapped[dict[str, str]] = mapped_column(JSON)
    owner_approvals: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    staff_approved_by: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    respond_by: Mapped[dt.date] = mapped_column(Date)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class HomeWorkingGrant(Base):
    """Read model for decisions: may this researcher work on this project from home?"""

    __tablename__ = "home_working_grant"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(40), index=True)
    syops_signed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class IngestionRequest(Base):
    """A researcher's request to bring their own data or code into a project space."""

    __tablename__ = "ingestion_request"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), index=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # data | code
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(500))
    # ingestion.rules.IngestionStatus: submitted | checked | approved | refused |
    # transferred | withdrawn
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The automatic check of the files: passed unless a finding refuses; each finding
    # {file, kind, severity, reason}.
    check_passed: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    checked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Where in the project space's store the files were transferred.
    transferred_to: Mapped[str | None] = mapped_column(String(300))
    transferred_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class IngestionFile(Base):
    """One uploaded file of an ingestion request, its content in the file store by hash."""

    __tablename__ = "ingestion_file"

    request_id: Mapped[str] = mapped_column(
        ForeignKey("ingestion_request.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)


class User(Base):
    """A login of the embedded identity provider (production uses an external OIDC)."""

    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    password_hash: Mapped[str] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(JSON)
    researcher_id: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[str | None] = mapped_column(String(100))


class ApiClient(Base):
    """A partner organisation's API client (OAuth2 client credentials)."""

    __tablename__ = "api_client"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class ApiClientSecret(Base):
    """One secret of a client, stored only as a peppered HMAC-SHA256. A rotated-out
    secret keeps working until ``expires_at`` (the overlap); NULL means no end set."""

    __tablename__ = "api_client_secret"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class LinkedExtract(Base):
    """A de-identified IDBR linked extract mapped into one project's space (from
    ``linkage_task.completed``): the result of the SRS team's matching for that project."""

    __tablename__ = "linked_extract"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    project_id: Mapped[str] = mapped_column(String(40), index=True)
    task_id: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(20))
    matched_count: Mapped[int] = mapped_column(Integer)
    unmatched_count: Mapped[int] = mapped_column(Integer)
    mapped_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
