"""Idempotency-Key and rate limiting, as every service gets them from srs_common."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, insert, select, update

from srs_common.app import ServiceSpec, create_service_app
from srs_common.auth import CurrentPrincipal
from srs_common.config import ServiceSettings
from srs_common.db import SessionDep
from srs_common.testing import asgi_client, platform_settings

from .conftest import idempotency, messaging, widget

router = APIRouter()


class WidgetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str


@router.post("/v1/widgets", status_code=201)
async def create_widget(data: WidgetCreate, session: SessionDep, principal: CurrentPrincipal):
    if data.name == "explode":
        raise HTTPException(503, "temporarily unavailable")
    widget_id = f"w_{uuid.uuid4().hex}"
    await asyncio.sleep(0.01)  # widen the race window for concurrent retries
    await session.execute(insert(widget).values(id=widget_id, applied=0))
    return {"id": widget_id, "name": data.name, "owner": principal.sub}


def app_for(db_url, tokens, **platform_overrides):
    platform = platform_settings(tokens).model_copy(update=platform_overrides)
    settings = ServiceSettings(
        service_name=f"widgets{uuid.uuid4().hex[:6]}",
        database_url=db_url,
        platform=platform,
        run_relay=False,
        run_consumers=False,
    )
    spec = ServiceSpec(
        name=settings.service_name,
        title="widgets",
        description="test",
        version="0",
        messaging=messaging,
        routers=[router],
        idempotency=idempotency,
    )
    return create_service_app(spec, settings)


async def widget_count(db) -> int:
    async with db.engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(widget))).scalar_one()


@pytest.fixture
async def client(db, mechanism_db_url, tokens):
    async with asgi_client(app_for(mechanism_db_url, tokens)) as c:
        yield c


async def test_retry_with_the_same_key_returns_the_first_response_and_one_resource(
    client, db, tokens
):
    headers = {**tokens.headers("partner", sub="client-a", org="org-a"), "Idempotency-Key": "k-1"}
    first = await client.post("/v1/widgets", json={"name": "alpha"}, headers=headers)
    second = await client.post("/v1/widgets", json={"name": "alpha"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await widget_count(db) == 1


async def test_same_key_with_a_different_body_is_422(client, db, tokens):
    headers = {**tokens.headers("partner", sub="client-a"), "Idempotency-Key": "k-2"}
    await client.post("/v1/widgets", json={"name": "alpha"}, headers=headers)
    other = await client.post("/v1/widgets", json={"name": "beta"}, headers=headers)
    assert other.status_code == 422
    assert other.json()["title"] == "Idempotency-Key reused"
    assert await widget_count(db) == 1


async def test_keys_are_per_caller(client, db, tokens):
    body = {"name": "alpha"}
    a = await client.post(
        "/v1/widgets",
        json=body,
        headers={**tokens.headers("partner", sub="client-a"), "Idempotency-Key": "shared"},
    )
    b = await client.post(
        "/v1/widgets",
        json=body,
        headers={**tokens.headers("partner", sub="client-b"), "Idempotency-Key": "shared"},
    )
    assert a.json()["owner"] == "client-a" and b.json()["owner"] == "client-b"
    assert await widget_count(db) == 2


async def test_concurrent_retries_with_one_key_create_one_resource(client, db, tokens):
    headers = {**tokens.headers("partner", sub="client-c"), "Idempotency-Key": "race"}
    responses = await asyncio.gather(
        *[client.post("/v1/widgets", json={"name": "gamma"}, headers=headers) for _ in range(50)]
    )
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) <= {201, 409}, statuses
    assert await widget_count(db) == 1
    created_ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(created_ids) == 1
    again = await client.post("/v1/widgets", json={"name": "gamma"}, headers=headers)
    assert again.status_code == 201 and again.json()["id"] in created_ids


async def test_server_errors_are_not_stored_and_expired_keys_run_again(client, db, tokens):
    headers = {**tokens.headers("partner", sub="client-d"), "Idempotency-Key": "k-5xx"}
    assert (
        await client.post("/v1/widgets", json={"name": "explode"}, headers=headers)
    ).status_code == 503
    assert (
        await client.post("/v1/widgets", json={"name": "explode"}, headers=headers)
    ).status_code == 503  # ran again, not replayed

    headers = {**tokens.headers("partner", sub="client-d"), "Idempotency-Key": "k-old"}
    first = await client.post("/v1/widgets", json={"name": "delta"}, headers=headers)
    import datetime as dt

    async with db.engine.begin() as conn:
        await conn.execute(
            update(idempotency).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
        )
    later = await client.post("/v1/widgets", json={"name": "delta"}, headers=headers)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in later.headers


async def test_overlong_key_is_422(client, tokens):
    response = await client.post(
        "/v1/widgets",
        json={"name": "x"},
        headers={**tokens.headers("partner"), "Idempotency-Key": "k" * 300},
    )
    assert response.status_code == 422


@pytest.mark.parametrize("storage", [None, "async+redis://127.0.0.1:6379"])
async def test_partner_rate_limit_is_429_with_retry_after(db, mechanism_db_url, tokens, storage):
    app = app_for(
        mechanism_db_url, tokens, rate_limit_partner="3/minute", rate_limit_storage_url=storage
    )
    async with asgi_client(app) as c:
        partner = tokens.headers("partner", sub=f"client-{uuid.uuid4().hex[:6]}")
        statuses = [
            (await c.post("/v1/widgets", json={"name": f"n{i}"}, headers=partner)) for i in range(4)
        ]
        assert [r.status_code for r in statuses] == [201, 201, 201, 429]
        limited = statuses[-1]
        assert limited.headers["content-type"] == "application/problem+json"
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        other = tokens.headers("partner", sub=f"client-{uuid.uuid4().hex[:6]}")
        assert (await c.post("/v1/widgets", json={"name": "ok"}, headers=other)).status_code == 201
        staff = tokens.headers("support")
        for _ in range(5):
            assert (
                await c.post("/v1/widgets", json={"name": "s"}, headers=staff)
            ).status_code == 201


async def test_bodies_over_the_limit_are_413_and_nothing_is_written(db, mechanism_db_url, tokens):
    app = app_for(mechanism_db_url, tokens)
    async with asgi_client(app) as c:
        headers = tokens.headers("support")
        big = {"name": "x" * (1024 * 1024 + 10)}
        declared = await c.post("/v1/widgets", json=big, headers=headers)
        assert declared.status_code == 413
        assert declared.headers["content-type"] == "application/problem+json"
        assert declared.json()["limit"] == 1024 * 1024

        async def chunks():
            for _ in range(5):
                yield b'{"name": "' + b"y" * 300_000
            yield b'"}'

        streamed = await c.post(
            "/v1/widgets", content=chunks(), headers={**headers, "content-type": "application/json"}
        )
        assert streamed.status_code == 413
        ok = await c.post("/v1/widgets", json={"name": "small"}, headers=headers)
        assert ok.status_code == 201
    assert await widget_count(db) == 1
