"""The portal's own tables: server-side sessions (the portal reads no other database)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from srs_common.db import naming_metadata
from srs_common.websessions import WebSessionColumns


class Base(DeclarativeBase):
    metadata = naming_metadata()


class PortalSession(WebSessionColumns, Base):
    """One browser's session: the pending sign-in (state, nonce, PKCE verifier), then the
    person's tokens and name. The cookie carries only a signed random id; the row is
    keyed by its SHA-256, so a copy of the table resumes no one's session."""

    __tablename__ = "portal_session"
