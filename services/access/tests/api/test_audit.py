"""The hash-chained audit log: filters, verification, tampering, concurrent appends."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import delete, select, update

from srs_access.models import audit_log

AUDIT = audit_log.entries


async def decisions(
    client, tokens, count: int, researcher: str = "res-alice", project: str = "prj-1"
) -> list[dict]:
    out = []
    for _ in range(count):
        response = await client.post(
            "/v1/access-decisions",
            headers=tokens.headers("support"),
            json={
                "researcher_id": researcher,
                "project_id": project,
                "setting": "office",
                "country": "GB",
            },
        )
        assert response.status_code == 201, response.text
        out.append(response.json())
    return out


async def verification(client, tokens) -> dict:
    response = await client.get("/v1/audit/access/verification", headers=tokens.headers("support"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_intact_chain_verifies(client, tokens):
    assert await verification(client, tokens) == {
        "valid": True,
        "entries_checked": 0,
        "first_broken_seq": None,
        "problem": None,
        "newest_anchor_seq": None,
    }
    await decisions(client, tokens, 3)
    assert (await verification(client, tokens))["entries_checked"] == 3


async def test_an_edited_entry_is_named(client, tokens):
    await decisions(client, tokens, 4)
    await verification(client, tokens)  # sealed
    async with client.runtime.db.transaction() as session:
        await session.execute(update(AUDIT).where(AUDIT.c.seq == 2).values(outcome="allow"))
    report = await verification(client, tokens)
    assert report["valid"] is False and report["first_broken_seq"] == 2
    assert "edited" in report["problem"]


async def test_a_deleted_entry_is_named(client, tokens):
    await decisions(client, tokens, 4)
    await verification(client, tokens)
    async with client.runtime.db.transaction() as session:
        await session.execute(delete(AUDIT).where(AUDIT.c.seq == 3))
    report = await verification(client, tokens)
    assert report["valid"] is False and report["first_broken_seq"] == 3
    assert "missing" in report["problem"]


async def test_a_rehashed_edit_breaks_the_next_link(client, tokens):
    await decisions(client, tokens, 3)
    await verification(client, tokens)
    async with client.runtime.db.transaction() as session:
        await session.execute(update(AUDIT).where(AUDIT.c.seq == 1).values(hash="f" * 64))
    report = await verification(client, tokens)
    assert report["first_broken_seq"] == 1


async def test_concurrent_decisions_and_sealers_keep_one_unbroken_chain(client, tokens):
    async def one(i: int) -> None:
        response = await client.post(
            "/v1/access-decisions",
            headers=tokens.headers("support"),
            json={
                "researcher_id": f"res-{i}",
                "project_id": "prj-1",
                "setting": "home",
                "country": "GB",
            },
        )
        assert response.status_code == 201, response.text

    async def sealer() -> int:
        async with client.runtime.db.transaction() as session:
            return await audit_log.seal(session, batch=5)

    # Decisions and several sealers race; every entry gets exactly one place.
    results = await asyncio.gather(*(one(i) for i in range(12)), *(sealer() for _ in range(4)))
    await asyncio.gather(*(sealer() for _ in range(4)))
    assert sum(r for r in results if r) <= 12
    async with client.runtime.db.engine.connect() as conn:
        seqs = sorted((await conn.execute(select(AUDIT.c.seq))).scalars())
    assert seqs == list(range(1, 13))
    assert (await verification(client, tokens))["entries_checked"] == 12


async def test_the_background_sealer_chains_new_entries(service_client, tokens):
    async with service_client(
        "access", run_consumers=True, audit_seal_interval_seconds=0.05
    ) as client:
        await decisions(client, tokens, 2)
        for _ in range(100):
            # A short transaction per look: on SQLite each one holds the write lock.
            async with client.runtime.db.engine.connect() as conn:
                sealed = (
                    await conn.execute(select(AUDIT.c.seq).where(AUDIT.c.seq.is_not(None)))
                ).all()
            if len(sealed) == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(s for (s,) in sealed) == [1, 2]


async def test_filters_and_pages(client, tokens):
    await decisions(client, tokens, 2, researcher="res-alice")
    await decisions(client, tokens, 1, researcher="res-bob", project="prj-2")
    ops = tokens.headers("ops")
    bob = await client.get("/v1/audit/access?researcher_id=res-bob", headers=ops)
    assert [e["researcher_id"] for e in bob.json()["items"]] == ["res-bob"]
    prj = await client.get("/v1/audit/access?project_id=prj-1&limit=1", headers=ops)
    assert len(prj.json()["items"]) == 1 and prj.json()["next"]
    second = await client.get(
        f"/v1/audit/access?project_id=prj-1&cursor={prj.json()['next']}", headers=ops
    )
    assert [e["seq"] for e in second.json()["items"]] == [2]
    assert all(e["hash"] for e in second.json()["items"])
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    later = await client.get("/v1/audit/access", params={"since": future}, headers=ops)
    assert later.json()["items"] == []
    earlier = await client.get("/v1/audit/access", params={"until": future}, headers=ops)
    assert len(earlier.json()["items"]) == 3


async def test_only_support_and_ops_read_the_audit_log(client, tokens):
    for role in ("researcher", "panel", "checker", "data_owner", "partner"):
        headers = tokens.headers(role, researcher_id="res-alice")
        assert (await client.get("/v1/audit/access", headers=headers)).status_code == 403
        assert (
            await client.get("/v1/audit/access/verification", headers=headers)
        ).status_code == 403
    assert (await client.get("/v1/audit/access")).status_code == 401
