"""Bugs found in services this suite may not edit: each fails today (xfail, strict) with
its diagnosis, and passes once its owner fixes it."""

from __future__ import annotations

import pytest

HUGE_ID = "5427348671434748015902306961719296"  # digits, but beyond a 64-bit integer


@pytest.mark.xfail(strict=True, raises=(OverflowError, Exception), reason=(
    "ops: GET /v1/dead-letters/{dead_letter_id} takes an int path parameter with no bound; "
    "an id beyond 64 bits reaches the database (SQLite: OverflowError; PostgreSQL: asyncpg "
    "DataError) and is a 500. Fix: Path(ge=1, le=2**63 - 1) on the parameter (422), or 404"))
async def test_an_out_of_range_dead_letter_id_is_a_4xx(service_client, tokens):
    async with service_client("ops") as client:
        response = await client.get(f"/v1/dead-letters/{HUGE_ID}",
                                    headers=tokens.headers("ops"))
    assert response.status_code in (404, 422)


@pytest.mark.xfail(strict=True, raises=(OverflowError, Exception), reason=(
    "notify: GET /v1/notifications/{notification_id} (and .../retry) take an int path "
    "parameter with no bound; an id beyond 64 bits reaches the database and is a 500. "
    "Fix: Path(ge=1, le=2**63 - 1) on the parameter (422), or 404"))
async def test_an_out_of_range_notification_id_is_a_4xx(service_client, tokens):
    async with service_client("notify") as client:
        response = await client.get(f"/v1/notifications/{HUGE_ID}",
                                    headers=tokens.headers("support"))
    assert response.status_code in (404, 422)
