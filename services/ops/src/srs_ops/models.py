"""Every ORM model of the ops service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
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
