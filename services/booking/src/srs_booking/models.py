"""Every ORM model of the booking service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Integer, String, Time
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import naming_metadata
from srs_common.events.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)


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
