"""The access service's hash-chained audit log detects edited and deleted entries."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import delete, func, select, update

from srs_access.models import audit_log
from srs_common.audit import GENESIS_HASH
from srs_common.audit.chain import audit_fields, audit_hash

AUDIT = audit_log.entries

ENTRIES = 6


async def chain_of(client, count: int = ENTRIES) -> None:
    async with client.runtime.db.transaction() as session:
        for n in range(count):
            await audit_log.append(
                session,
                actor="gateway",
                action="session_start",
                outcome="allow" if n % 2 else "deny",
                researcher_id=f"res-{n}",
                project_id="prj-1",
                detail={"reasons": []},
                occurred_at=dt.datetime(2026, 11, 25, 10, n, tzinfo=dt.UTC),
            )
    async with client.runtime.db.transaction() as session:
        await audit_log.seal_everything(session)


async def verify(client, tokens) -> dict:
    response = await client.get("/v1/audit/access/verification", headers=tokens.headers("support"))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
async def access(service_client):
    async with service_client("access") as client:
        yield client


async def test_every_kind_of_tampering_in_the_chain_is_named(access, tokens, report):
    await chain_of(access)
    assert (await verify(access, tokens))["valid"] is True
    async with access.runtime.db.transaction() as session:
        await session.execute(update(AUDIT).where(AUDIT.c.seq == 2).values(outcome="tampered"))
    edited = await verify(access, tokens)
    assert edited["valid"] is False and edited["first_broken_seq"] == 2
    async with access.runtime.db.transaction() as session:
        await session.execute(
            update(AUDIT).where(AUDIT.c.seq == 2).values(outcome="allow")
        )  # seq 2 was entry n=1
    assert (await verify(access, tokens))["valid"] is True
    async with access.runtime.db.transaction() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq == 4))
    deleted = await verify(access, tokens)
    assert deleted["valid"] is False and deleted["first_broken_seq"] == 4
    report(f"audit chain: {ENTRIES} entries; an edit named at seq 2, a deletion at seq 4")


async def test_deleting_the_newest_entries_is_detected(access, tokens, report):
    await chain_of(access)
    async with access.runtime.db.transaction() as session:
        newest = (await session.execute(select(func.max(AUDIT.c.seq)))).scalar_one()
        await session.execute(delete(AUDIT).where(AUDIT.c.seq == newest))
    cut = await verify(access, tokens)
    assert cut["valid"] is False and cut["first_broken_seq"] == newest, cut
    assert f"anchored at entry {newest}" in cut["problem"]
    report(f"audit chain: deleting the newest entry (seq {newest}) named by its anchor")


async def rehash_from(session, seq: int) -> None:
    """What a forger with write access would do: edit an entry, then recompute every
    hash from there on so the chain is consistent again."""
    prev = (
        (await session.execute(select(AUDIT.c.hash).where(AUDIT.c.seq == seq - 1))).scalar_one()
        if seq > 1
        else GENESIS_HASH
    )
    rows = (
        await session.execute(select(AUDIT).where(AUDIT.c.seq >= seq).order_by(AUDIT.c.seq))
    ).all()
    for row in rows:
        new_hash = audit_hash(prev, audit_fields(row.seq, row))
        await session.execute(
            update(AUDIT).where(AUDIT.c.id == row.id).values(prev_hash=prev, hash=new_hash)
        )
        prev = new_hash


async def test_a_rewritten_chain_with_fresh_hashes_is_detected(access, tokens):
    await chain_of(access)
    async with access.runtime.db.transaction() as session:
        await session.execute(update(AUDIT).where(AUDIT.c.seq == 3).values(outcome="tampered"))
        await rehash_from(session, 3)
    rewritten = await verify(access, tokens)
    assert rewritten["valid"] is False, rewritten
    assert "anchored" in rewritten["problem"]


async def test_an_anchor_from_the_event_stream_catches_what_the_database_hides(
    access, tokens, report
):
    """The forger also deletes the stored anchors: the anchor published on the bus, as
    the operations event store keeps it, still catches the cut."""
    await chain_of(access)
    async with access.runtime.db.transaction() as session:
        published = (
            (
                await session.execute(
                    select(access.runtime.db.messaging.outbox.c.payload).where(
                        access.runtime.db.messaging.outbox.c.type == "srs.audit_chain.anchored.v1"
                    )
                )
            )
            .scalars()
            .all()
        )
    assert published, "no anchor event in the outbox"
    anchor = json.loads(published[-1])
    assert anchor["seq"] == ENTRIES
    async with access.runtime.db.transaction() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq >= ENTRIES - 1))
        await session.execute(delete(audit_log.anchors))
    assert (await verify(access, tokens))["valid"] is True  # the database alone is fooled
    response = await access.get(
        "/v1/audit/access/verification",
        params={"anchor_seq": anchor["seq"], "anchor_hash": anchor["hash"]},
        headers=tokens.headers("support"),
    )
    checked = response.json()
    assert checked["valid"] is False and checked["first_broken_seq"] == ENTRIES - 1, checked
    report("audit chain: a cut hidden from the stored anchors is caught by the published one")


async def test_an_anchor_must_be_whole_and_must_match(access, tokens):
    await chain_of(access)
    half = await access.get(
        "/v1/audit/access/verification", params={"anchor_seq": 2}, headers=tokens.headers("support")
    )
    assert half.status_code == 422
    assert half.headers["content-type"].startswith("application/problem+json")
    wrong = await access.get(
        "/v1/audit/access/verification",
        params={"anchor_seq": 2, "anchor_hash": "ab" * 32},
        headers=tokens.headers("support"),
    )
    assert wrong.status_code == 200 and wrong.json()["valid"] is False
    assert wrong.json()["first_broken_seq"] == 2
