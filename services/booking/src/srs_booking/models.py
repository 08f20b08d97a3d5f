"""Every ORM model of the booking service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.audit import AuditLog
from srs_common.contracts.booking import BookingAuditAnchored
from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)
# Staff cancellations, closures and attendance records: the hash-chained audit log.
audit_log = AuditLog(Base.metadata, service="booking", anchored=BookingAuditAnchored)


class Site(Base):
    """A safe room (several terminals) or a SafePod (one place), with opening hours."""

    __tablename__ = "site"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # safe_room | safepod
    location: Mapped[str] = mapped_column(String(200))
    places: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    opens_at: Mapped[dt.time] = mapped_column(Time)
    closes_at: Mapped[dt.time] = mapped_column(Time)
    open_weekdays: Mapped[list[int]] = mapped_column(JSON)


class SiteClosure(Base):
    """A period announced by support during which a site is closed (a closure, or the
    hours lost to a change of opening hours)."""

    __tablename__ = "site_closure"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    announced_by: Mapped[str] = mapped_column(String(100))
    announced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SecurityDeclaration(Base):
    """A researcher's signature of one version of the security declaration."""

    __tablename__ = "security_declaration"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Booking(Base):
    """A researcher's booking of one place at a site, for whole hours of one day."""

    __tablename__ = "booking"
    __table_args__ = (
        Index("ix_booking_researcher_starts", "researcher_id", "starts_at"),
        Index("ix_booking_project_researcher", "project_id", "researcher_id"),
        Index("ix_booking_site_starts", "site_id", "starts_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[str] = mapped_column(ForeignKey("site.id"))
    place: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class BookedSlot(Base):
    """One booked hour of a live booking. The two unique constraints are what makes a
    place and a researcher exclusive: of simultaneous inserts exactly one commits.
    Rows are deleted when their booking is cancelled, freeing the hours."""

    __tablename__ = "booked_slot"
    __table_args__ = (
        UniqueConstraint("site_id", "place", "slot_start"),
        UniqueConstraint("researcher_id", "slot_start"),
        # Availability reads (slot_start range) from the index alone.
        Index("ix_booked_slot_slot_start_site", "slot_start", "site_id", "place"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[str] = mapped_column(ForeignKey("booking.id"), index=True)
    site_id: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(20))
    researcher_id: Mapped[str] = mapped_column(String(100))
    slot_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())


# Read models built from other services' events (never from calls).


class KnownAccreditation(Base):
    """One accreditation as last announced by the accreditation service.

    One row per accreditation: a researcher may hold two at once (an old provisional and
    a new full), and the end of one must not hide the other. Who may book is decided on
    the researcher's best one (``srs_booking.bookings.eligibility.BEST_ACCREDITATION_FIRST``)."""

    __tablename__ = "known_accreditation"

    accreditation_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))
    valid_until: Mapped[dt.date] = mapped_column(Date)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class KnownProject(Base):
    """A project's status and datasets as announced by projects and access."""

    __tablename__ = "known_project"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str | None] = mapped_column(String(20))
    dataset_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    space_provisioned: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class KnownMember(Base):
    """A researcher's membership of a project and whether it is active."""

    __tablename__ = "known_member"

    project_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class KnownDataset(Base):
    """A catalogued dataset's access level (safe_setting < aoc_office < home)."""

    __tablename__ = "known_dataset"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    access_level: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
