"""The portal's own tables: server-side sessions (the portal reads no other database)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from srs_common.db import UTCDateTime, naming_metadata, utcnow


class Base(DeclarativeBase):
    metadata = naming_metadata()


class PortalSession(Base):
    """One browser's session: the pending sign-in (state, nonce, PKCE verifier), then the
    person's tokens and name. The cookie carries only a signed random id; the row is
    keyed by its SHA-256, so a copy of the table resumes no one's session."""

    __tablename__ = "portal_session"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
