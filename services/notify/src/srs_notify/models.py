"""Every ORM model of the notify service.

Read models (researcher, project, booking) are built from other services' events and
never from calls to them; ``notification`` is both the queue of mail to send (written in
the consumer's transaction) and the delivery log that support reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import UTCDateTime, naming_metadata, utcnow
from srs_common.events.tables import messaging_tables
from srs_common.idempotency import idempotency_table

BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
idempotency = idempotency_table(Base.metadata)


class Researcher(Base):
    """Who a researcher is and where to write to them (researcher.registered/updated)."""

    __tablename__ = "researcher"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation_id: Mapped[str] = mapped_column(String(100))
    # occurred_at of the profile event applied last: an older one never overwrites it.
    profile_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class Project(Base):
    """A project's public title and lead, for naming it in e-mails."""

    __tablename__ = "project"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str | None] = mapped_column(String(300))
    lead_researcher_id: Mapped[str | None] = mapped_column(String(100))


class ProjectMember(Base):
    """Who is on a project and in what role (project.approved, member_added/removed,
    lead_changed), to tell the members a suspension, an overdue date or a resumption
    concerns."""

    __tablename__ = "project_member"

    project_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(40))


class Dataset(Base):
    """A catalogued dataset's owner (dataset.catalogued), whose mailbox is told of a
    home-working request on its data."""

    __tablename__ = "dataset"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200))


class Booking(Base):
    """A booked place, known from booking.confirmed/cancelled, for the day-before reminder."""

    __tablename__ = "booking"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    researcher_id: Mapped[str] = mapped_column(String(100))
    project_id: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[str] = mapped_column(String(100))
    place: Mapped[str] = mapped_column(String(100))
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    # The reminder is keyed on this event id, so it is queued once per booking.
    confirmed_event_id: Mapped[str] = mapped_column(String(36))


class NotificationPreference(Base):
    """A researcher's choice for one optional notice (absent: they receive it)."""

    __tablename__ = "notification_preference"

    researcher_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    notice: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """One e-mail to one person about one event: queued, then sent (or failed, or not sent
    because the person opted out or the event was stale). The unique key makes it once."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("event_id", "researcher_id", "notice"),
        Index(
            "ix_notification_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(200))
    notice: Mapped[str] = mapped_column(String(60), index=True)
    researcher_id: Mapped[str] = mapped_column(String(100), index=True)
    # What the notice is about (booking, project, output, application id).
    about: Mapped[str | None] = mapped_column(String(200))
    # The curated template context: only what this recipient may read.
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), index=True)
    email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
