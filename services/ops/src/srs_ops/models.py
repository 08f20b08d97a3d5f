"""Every ORM model of the ops service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import UTCDateTime, naming_metadata
from srs_common.events.tables import messaging_tables
from srs_common.websessions import WebSessionColumns

BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)


class EventRecord(Base):
    """One event seen on the bus, kept for operators (bounded retention)."""

    __tablename__ = "event_record"
    __table_args__ = (
        UniqueConstraint("source", "event_id"),
        Index("ix_event_record_type_id", "type", "id"),
        Index("ix_event_record_subject_id", "subject", "id"),
        Index("ix_event_record_correlation_id", "correlation_id", "id"),
        Index("ix_event_record_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36))
    source: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    topic: Mapped[str] = mapped_column(String(200))
    partition: Mapped[int] = mapped_column(Integer)
    offset: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DeadLetter(Base):
    """A record some consumer gave up on, read from ``srs.dlq.<consumer>``."""

    __tablename__ = "dead_letter"
    __table_args__ = (UniqueConstraint("dlq_topic", "dlq_partition", "dlq_offset"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dlq_topic: Mapped[str] = mapped_column(String(200))
    dlq_partition: Mapped[int] = mapped_column(Integer)
    dlq_offset: Mapped[int] = mapped_column(BigInteger)
    consumer: Mapped[str] = mapped_column(String(100), index=True)
    reason: Mapped[str] = mapped_column(String(100))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    origin_topic: Mapped[str] = mapped_column(String(200))
    origin_partition: Mapped[int] = mapped_column(Integer)
    origin_offset: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[str | None] = mapped_column(String(200))
    event_type: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    key: Mapped[bytes | None] = mapped_column(LargeBinary)
    value: Mapped[bytes | None] = mapped_column(LargeBinary)
    # [[name, base64 value], ...] in wire order, srs_dlq_* included.
    headers: Mapped[list[list[str]]] = mapped_column(JSON)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class DeadLetterAction(Base):
    """What an operator did with a dead letter: replayed or discarded, once (audited)."""

    __tablename__ = "dead_letter_action"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    dead_letter_id: Mapped[int] = mapped_column(ForeignKey("dead_letter.id"), unique=True)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    acted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


# -- webhooks ---------------------------------------------------------------------------


class WebhookSubscription(Base):
    """A partner organisation's endpoint and the event types it wants delivered."""

    __tablename__ = "webhook_subscription"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(200), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str | None] = mapped_column(String(500))
    enabled: Mapped[bool] = mapped_column(Boolean)
    # The signing secret must be readable to sign with (HMAC), so it cannot be hashed.
    secret: Mapped[str] = mapped_column(String(100))
    # After a rotation the old secret also signs until this time, so receivers can switch.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event to send to one subscription; retried until delivered or given up."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(200))
    # The structured CloudEvent exactly as sent (the signature covers these bytes).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    retry_until: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class WebhookAttempt(Base):
    """One HTTP request made for a delivery: what came back and how long it took."""

    __tablename__ = "webhook_attempt"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempt_number: Mapped[int] = mapped_column(Integer)
    attempted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    status_code: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class ResearcherOrganisation(Base):
    """Read model: which organisation a researcher belongs to (from accreditation)."""

    __tablename__ = "researcher_organisation"

    researcher_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(200))


class ProjectOrganisation(Base):
    """Read model: which organisation a project belongs to (from projects)."""

    __tablename__ = "project_organisation"

    project_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(200))


class ConsoleSession(WebSessionColumns, Base):
    """One browser's console session: the pending sign-in (state, nonce, PKCE verifier),
    then the operator's tokens. The cookie carries only a signed random id; the row is
    keyed by its SHA-256, so a copy of the table resumes no one's session."""

    __tablename__ = "console_session"
