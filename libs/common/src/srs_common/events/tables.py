"""The messaging tables every service database carries: outbox, inbox, dead-letter
quarantine and the relay lease. Core tables, so the hot paths stay off the ORM."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from srs_common.db import UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


@dataclass(frozen=True)
class MessagingTables:
    outbox: Table
    inbox: Table
    quarantine: Table
    relay_lease: Table


def messaging_tables(metadata: MetaData) -> MessagingTables:
    """Declare the messaging tables on a service's metadata (call once, in models.py)."""
    outbox = Table(
        "outbox_event",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=True),
        Column("type", String(200), nullable=False),
        Column("source", String(200), nullable=False),
        Column("subject", String(200), nullable=True),
        Column("correlation_id", String(128), nullable=True),
        # W3C trace context of the write (srs_common.tracing); null while tracing is off.
        Column("traceparent", String(64), nullable=True),
        Column("tracestate", String(512), nullable=True),
        Column("payload", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("sent_at", UTCDateTime(), nullable=True),
    )
    # The relay selects by state, never by a moving id cursor (late commits would be skipped).
    Index(
        "ix_outbox_event_pending",
        outbox.c.id,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    inbox = Table(
        "inbox_event",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("source", String(200), primary_key=True),
        Column("event_id", String(36), primary_key=True),
        Column("type", String(200), nullable=False),
        Column("processed_at", UTCDateTime(), nullable=False),
    )
    quarantine = Table(
        "dead_letter_quarantine",
        metadata,
        Column("id", BigId, primary_key=True, autoincrement=True),
        Column("consumer", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("reason", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("resolved_at", UTCDateTime(), nullable=True),
        UniqueConstraint("consumer", "event_id"),
    )
    Index(
        "ix_dead_letter_quarantine_open",
        quarantine.c.consumer,
        quarantine.c.key,
        postgresql_where=quarantine.c.resolved_at.is_(None),
        sqlite_where=quarantine.c.resolved_at.is_(None),
    )
    relay_lease = Table(
        "relay_lease",
        metadata,
        Column("name", String(100), primary_key=True),
        Column("holder", String(100), nullable=False),
        Column("expires_at", UTCDateTime(), nullable=False),
    )
    return MessagingTables(outbox, inbox, quarantine, relay_lease)
