"""Partner API clients: registration, secrets (shown once, stored hashed), rotation with
overlap, revocation, and authenticating a client for the client-credentials grant."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.models import ApiClient, ApiClientSecret, Organisation, audit_log
from srs_access.settings import AccessSettings
from srs_common.db import utcnow
from srs_common.errors import NotFound, RuleViolation
from srs_common.ids import new_id

# Everything a partner client may be granted (webhooks:manage is used by ops).
PARTNER_SCOPES = (
    "researchers:read",
    "applications:read",
    "applications:write",
    "projects:read",
    "outputs:read",
    "webhooks:manage",
)
SECRET_PREFIX = "srs_cs_"


def hash_secret(settings: AccessSettings, secret: str) -> str:
    return _peppered(settings.client_secret_pepper.get_secret_value(), secret)


def _peppered(pepper: str, secret: str) -> str:
    return hmac.new(pepper.encode(), secret.encode(), hashlib.sha256).hexdigest()


def _hashes(settings: AccessSettings, secret: str) -> tuple[str, str | None]:
    """The secret hashed under the current pepper and, during a pepper rotation, under
    the previous one."""
    previous = settings.client_secret_pepper_previous
    return hash_secret(settings, secret), (
        _peppered(previous.get_secret_value(), secret) if previous is not None else None
    )


def _new_secret(
    settings: AccessSettings, client_id: str, now: dt.datetime
) -> tuple[str, ApiClientSecret]:
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = ApiClientSecret(
        id=new_id("sec"),
        client_id=client_id,
        secret_hash=hash_secret(settings, secret),
        created_at=now,
        expires_at=None,
    )
    return secret, row


async def register_client(
    session: AsyncSession,
    settings: AccessSettings,
    *,
    created_by: str,
    organisation_id: str,
    name: str,
    scopes: list[str],
) -> tuple[ApiClient, str]:
    """Support registers a client for a registered organisation; the secret is returned
    once and only its hash is kept."""
    if await session.get(Organisation, organisation_id) is None:
        raise RuleViolation(
            f"no organisation {organisation_id} is registered", rule="organisation_registered"
        )
    now = utcnow()
    client = ApiClient(
        id=new_id("cli"),
        organisation_id=organisation_id,
        name=name,
        scopes=sorted(set(scopes)),
        created_by=created_by,
        created_at=now,
    )
    secret, row = _new_secret(settings, client.id, now)
    session.add_all([client, row])
    await session.flush()
    await _audit(session, created_by, "api_client_registered", client, scopes=client.scopes)
    return client, secret


async def _audit(
    session: AsyncSession, actor: str, action: str, client: ApiClient, **detail: object
) -> None:
    await audit_log.append(
        session,
        actor=actor,
        action=action,
        outcome="done",
        researcher_id=None,
        project_id=None,
        occurred_at=utcnow(),
        detail={"client_id": client.id, "organisation_id": client.organisation_id, **detail},
    )


async def get_client(
    session: AsyncSession, client_id: str, *, for_update: bool = False
) -> ApiClient:
    client = await session.get(ApiClient, client_id, with_for_update=for_update)
    if client is None:
        raise NotFound(f"no API client {client_id}")
    return client


async def list_clients(session: AsyncSession, organisation_id: str | None) -> list[ApiClient]:
    stmt = select(ApiClient).order_by(ApiClient.id)
    if organisation_id:
        stmt = stmt.where(ApiClient.organisation_id == organisation_id)
    return list((await session.execute(stmt)).scalars())


async def rotate_secret(
    session: AsyncSession,
    settings: AccessSettings,
    client_id: str,
    *,
    actor: str,
    old_secret_expires_at: dt.datetime,
) -> tuple[ApiClient, str]:
    """Issue a new secret; secrets issued before keep working until
    ``old_secret_expires_at`` (now, for an immediate switch), so a partner can deploy the
    new one without downtime."""
    client = await get_client(session, client_id, for_update=True)
    if client.revoked_at is not None:
        raise RuleViolation(f"API client {client_id} is revoked", rule="client_active")
    now = utcnow()
    if old_secret_expires_at < now - dt.timedelta(seconds=5):
        raise RuleViolation("old_secret_expires_at is in the past", rule="overlap_in_future")
    if old_secret_expires_at > now + dt.timedelta(days=settings.client_secret_max_overlap_days):
        raise RuleViolation(
            f"the overlap may last at most {settings.client_secret_max_overlap_days} days",
            rule="overlap_limit",
        )
    existing = (
        await session.execute(select(ApiClientSecret).where(ApiClientSecret.client_id == client_id))
    ).scalars()
    for row in existing:
        if row.expires_at is None or row.expires_at > old_secret_expires_at:
            row.expires_at = old_secret_expires_at
    secret, new_row = _new_secret(settings, client_id, now)
    session.add(new_row)
    await session.flush()
    await _audit(
        session,
        actor,
        "api_client_secret_rotated",
        client,
        old_secrets_expire_at=old_secret_expires_at.isoformat(),
    )
    return client, secret


async def revoke_client(session: AsyncSession, client_id: str, *, actor: str) -> ApiClient:
    """Revoke a client: no new tokens from now on (issued ones expire within 15 minutes)."""
    client = await get_client(session, client_id, for_update=True)
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        await session.flush()
        await _audit(session, actor, "api_client_revoked", client)
    return client


async def authenticate(
    session: AsyncSession, settings: AccessSettings, client_id: str, secret: str
) -> ApiClient | None:
    """The client if it is active and ``secret`` is one of its unexpired secrets. The
    secret is hashed (in a worker thread, off the event loop) whether or not the client
    exists, so an unknown client id is answered in the same time as a wrong secret."""
    presented, under_previous = await anyio.to_thread.run_sync(_hashes, settings, secret)
    client = await session.get(ApiClient, client_id)
    if client is None or client.revoked_at is not None:
        return None
    now = utcnow()
    rows = (
        await session.execute(select(ApiClientSecret).where(ApiClientSecret.client_id == client_id))
    ).scalars()
    matched = False
    for row in rows:  # compare every row in constant time
        current = hmac.compare_digest(row.secret_hash, presented)
        previous = under_previous is not None and hmac.compare_digest(
            row.secret_hash, under_previous
        )
        if (current or previous) and (row.expires_at is None or row.expires_at > now):
            matched = True
            if previous and not current:  # pepper rotation: re-hash under the current one
                row.secret_hash = presented
    if matched:
        await session.flush()
    return client if matched else None
