"""Every ORM model of the ops service."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from srs_common.db import naming_metadata
from srs_common.events.tables import messaging_tables


class Base(DeclarativeBase):
    metadata = naming_metadata()


messaging = messaging_tables(Base.metadata)
