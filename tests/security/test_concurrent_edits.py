"""Simultaneous edits from the same version: two or more staff save a change they made
on the same page at once, each sending the ETag they loaded as If-Match. Exactly one
wins; the rest get 412 naming the version the winner left, and exactly one change is
written (one event). Through asyncio.gather over the ASGI client, on PostgreSQL (CI's
TEST_DATABASE_URL, where the row lock decides) and SQLite (where BEGIN IMMEDIATE does)."""

from __future__ import annotations

import asyncio

from .test_concurrency import outbox_types, tally

RACERS = 20
DATASET = {
    "title": "Annual Survey of Hours and Earnings",
    "owner": "ONS",
    "access_level": "safe_setting",
    "disclosure_threshold": 10,
    "operational_id_columns": [],
}


async def test_one_winner_among_staff_saving_the_same_version_of_a_dataset(
    service_client, tokens, report
):
    async with service_client("access") as client:
        support = tokens.headers("support")
        created = await client.post(
            "/v1/datasets", json={"id": "ds-race", **DATASET}, headers=support
        )
        assert created.status_code == 201, created.text
        tag = (await client.get("/v1/datasets/ds-race", headers=support)).headers["etag"]
        before = await outbox_types(client)
        responses = await asyncio.gather(
            *[
                client.put(
                    "/v1/datasets/ds-race",
                    json={**DATASET, "disclosure_threshold": 11 + i},
                    headers={**tokens.headers("support", sub=f"support-{i}"), "If-Match": tag},
                )
                for i in range(RACERS)
            ]
        )
        statuses = tally(responses)
        assert statuses[200] == 1 and statuses[412] == RACERS - 1, statuses
        winner = next(r for r in responses if r.status_code == 200)
        for loser in (r for r in responses if r.status_code == 412):
            assert loser.json()["current_etag"] == winner.headers["etag"]
        stored = await client.get("/v1/datasets/ds-race", headers=support)
        assert stored.json()["disclosure_threshold"] == winner.json()["disclosure_threshold"]
        assert stored.headers["etag"] == winner.headers["etag"]
        written = await outbox_types(client) - before
        assert written == {"srs.dataset.catalogued.v1": 1}, written
    report(
        f"race dataset edit: {RACERS} simultaneous saves of one version -> "
        f"{dict(statuses)}, 1 event written"
    )
