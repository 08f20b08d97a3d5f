"""Partner API clients (support): register, list, rotate a secret with overlap, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from srs_access import clients
from srs_access.models import ApiClient
from srs_access.schemas.clients import (
    ApiClientCreate,
    ApiClientRead,
    ApiClientWithSecret,
    SecretRotation,
)
from srs_access.settings import AccessSettings
from srs_common.auth import Principal, require_roles
from srs_common.context import app_settings
from srs_common.db import SessionDep
from srs_common.errors import problem_responses

router = APIRouter(prefix="/v1/clients", tags=["partner API clients"])
Support = Annotated[Principal, Depends(require_roles("support"))]
ClientId = Annotated[str, Path(max_length=40, examples=["cli_3f2a0c1e9b7d4e5f8a6b1c2d3e4f5a6b"])]


Settings = Annotated[AccessSettings, Depends(app_settings)]


def _with_secret(client: object, secret: str) -> ApiClientWithSecret:
    return ApiClientWithSecret(
        **ApiClientRead.model_validate(client).model_dump(), client_secret=secret
    )


@router.post(
    "",
    response_model=ApiClientWithSecret,
    status_code=201,
    summary="Register a partner organisation's API client (support); the secret is shown once",
    responses=problem_responses(401, 403, 422),
)
async def register_client(
    body: ApiClientCreate, session: SessionDep, settings: Settings, principal: Support
) -> ApiClientWithSecret:
    """Support registers a partner organisation's API client with its scopes (201). The client
    secret is in this answer only: it is stored hashed."""
    client, secret = await clients.register_client(
        session,
        settings,
        created_by=principal.sub,
        organisation_id=body.organisation_id,
        name=body.name,
        scopes=list(body.scopes),
    )
    return _with_secret(client, secret)


@router.get(
    "",
    response_model=list[ApiClientRead],
    summary="API clients (support)",
    responses=problem_responses(401, 403, 422),
)
async def list_clients(
    session: SessionDep,
    _: Support,
    organisation_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[ApiClient]:
    """Every partner API client with its organisation, scopes and status (never the secrets)."""
    return await clients.list_clients(session, organisation_id)


@router.get(
    "/{client_id}",
    response_model=ApiClientRead,
    summary="One API client (support)",
    responses=problem_responses(401, 403, 404, 422),
)
async def read_client(client_id: ClientId, session: SessionDep, _: Support) -> ApiClient:
    """One partner API client (never its secret)."""
    return await clients.get_client(session, client_id)


@router.post(
    "/{client_id}/rotate",
    response_model=ApiClientWithSecret,
    summary="Issue a new secret; the old ones keep working until the given time (support)",
    responses=problem_responses(401, 403, 404, 422),
)
async def rotate_secret(
    client_id: ClientId,
    body: SecretRotation,
    session: SessionDep,
    settings: Settings,
    principal: Support,
) -> ApiClientWithSecret:
    """Issues a new secret, shown once; the previous secrets keep working until the given time so
    the partner can switch without downtime."""
    client, secret = await clients.rotate_secret(
        session,
        settings,
        client_id,
        actor=principal.sub,
        old_secret_expires_at=body.old_secret_expires_at,
    )
    return _with_secret(client, secret)


@router.post(
    "/{client_id}/revoke",
    response_model=ApiClientRead,
    summary="Revoke a client: no new tokens (support)",
    responses=problem_responses(401, 403, 404, 422),
)
async def revoke_client(client_id: ClientId, session: SessionDep, principal: Support) -> ApiClient:
    """Revokes the client: it gets no new tokens."""
    return await clients.revoke_client(session, client_id, actor=principal.sub)
