"""The OpenID Connect provider's tables: self-service account details and their e-mail
confirmation links, authorization codes and refresh tokens. Links, codes and refresh
tokens are stored only as SHA-256 hashes: a copy of the table signs no one in."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from srs_access.models import Base
from srs_common.db import UTCDateTime, utcnow


class AccountProfile(Base):
    """Name and e-mail of a login (``user_account``); self-service sign-ups have one."""

    __tablename__ = "account_profile"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the person followed the link e-mailed to them; None: not confirmed yet.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class EmailVerification(Base):
    """A link that confirms a sign-up's e-mail address: single-use, expiring, stored only
    as the SHA-256 hash of its secret."""

    __tablename__ = "email_verification"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuthorizationCode(Base):
    """A code handed to a client's redirect URI: single-use, short-lived, bound to the
    client, the redirect URI and the PKCE challenge it was asked for with."""

    __tablename__ = "oidc_authorization_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(100))
    redirect_uri: Mapped[str] = mapped_column(String(2000))
    scope: Mapped[str] = mapped_column(String(500))
    nonce: Mapped[str | None] = mapped_column(String(500))
    code_challenge: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(Base):
    """One refresh token of a sign-in. Every use rotates it: the used one is marked, a new
    one of the same family (the sign-in) issued. A rotated-out token used again means it
    leaked: the whole family is revoked."""

    __tablename__ = "oidc_refresh_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(100), index=True)
    scope: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
