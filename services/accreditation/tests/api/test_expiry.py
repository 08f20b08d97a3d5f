"""The expiry job with an injected clock: expiry, 90/30-day reminders, two replicas."""

from __future__ import annotations

import asyncio
import datetime as dt

from sqlalchemy import update

from srs_accreditation.app import spec
from srs_accreditation.jobs import expiry_job, run_expiry
from srs_accreditation.models import Accreditation


def at(day: str) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(2, 0), tzinfo=dt.UTC)


def shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


async def run_at(client, now: dt.datetime):
    async with client.runtime.db.transaction() as session:
        return await run_expiry(session, client.runtime.settings, now)


async def test_reminders_90_and_30_days_before_then_expiry_each_once(client, flow, events):
    accreditation = await flow.accredit("res-alice", "full")
    until = accreditation["valid_until"]
    await run_at(client, at(shift(until, -91)))
    assert await events("srs.accreditation.expiring.v1") == []
    for day in (-90, -89, -45):
        await run_at(client, at(shift(until, day)))
    [ninety] = await events("srs.accreditation.expiring.v1")
    assert ninety["days_before"] == 90 and ninety["valid_until"] == until
    for day in (-30, -29, 0):
        await run_at(client, at(shift(until, day)))
    assert [e["days_before"] for e in await events("srs.accreditation.expiring.v1")] == [90, 30]
    still = await client.get(f"/v1/accreditations/{accreditation['id']}", headers=flow.support)
    assert still.json()["status"] == "current"  # valid on its last day

    run = await run_at(client, at(shift(until, 1)))
    assert run.expired == [accreditation["id"]]
    await run_at(client, at(shift(until, 2)))
    [expired] = await events("srs.accreditation.expired.v1")
    assert expired["status"] == "expired" and expired["accreditation_id"] == accreditation["id"]
    after = await client.get(f"/v1/accreditations/{accreditation['id']}", headers=flow.support)
    assert after.json()["status"] == "expired"


async def test_a_late_first_run_sends_only_the_nearest_reminder(client, flow, events):
    accreditation = await flow.accredit("res-alice", "full")
    await run_at(client, at(shift(accreditation["valid_until"], -10)))
    assert [e["days_before"] for e in await events("srs.accreditation.expiring.v1")] == [30]


async def test_renewal_restarts_the_reminders_for_the_new_end_date(client, flow, events):
    accreditation = await flow.accredit("res-alice", "full")
    await run_at(client, at(shift(accreditation["valid_until"], -30)))
    renewal = await flow.submitted("res-alice", "full")
    await flow.approve(renewal["id"])
    renewed = (
        await client.get(f"/v1/accreditations/{accreditation['id']}", headers=flow.support)
    ).json()
    await run_at(client, at(shift(accreditation["valid_until"], 1)))
    assert await events("srs.accreditation.expired.v1") == []
    await run_at(client, at(shift(renewed["valid_until"], -30)))
    reminders = await events("srs.accreditation.expiring.v1")
    assert [(e["valid_until"], e["days_before"]) for e in reminders] == [
        (accreditation["valid_until"], 30),
        (renewed["valid_until"], 30),
    ]


async def test_suspended_and_revoked_accreditations_neither_expire_nor_get_reminders(
    client, flow, events
):
    accreditation = await flow.accredit("res-alice", "full")
    await client.post(
        f"/v1/accreditations/{accreditation['id']}/suspend",
        json={"reason": "breach"},
        headers=flow.support,
    )
    await run_at(client, at(shift(accreditation["valid_until"], -30)))
    await run_at(client, at(shift(accreditation["valid_until"], 1)))
    assert await events("srs.accreditation.expiring.v1") == []
    assert await events("srs.accreditation.expired.v1") == []


async def test_two_replicas_running_at_once_expire_and_remind_once(client, flow, events):
    ending = await flow.accredit("res-alice", "full")
    reminded = await flow.accredit("res-bob", "full")
    async with client.runtime.db.engine.begin() as conn:
        await conn.execute(
            update(Accreditation)
            .where(Accreditation.id == ending["id"])
            .values(valid_until=dt.date(2026, 1, 1))
        )
        await conn.execute(
            update(Accreditation)
            .where(Accreditation.id == reminded["id"])
            .values(valid_until=dt.date(2026, 1, 25))
        )
    now = at("2026-01-02")
    first, second = await asyncio.gather(run_at(client, now), run_at(client, now))
    assert len(first.expired) + len(second.expired) == 1
    assert len(first.reminded) + len(second.reminded) == 1
    assert [e["accreditation_id"] for e in await events("srs.accreditation.expired.v1")] == [
        ending["id"]
    ]
    assert [
        (e["accreditation_id"], e["days_before"])
        for e in await events("srs.accreditation.expiring.v1")
    ] == [(reminded["id"], 30)]


async def test_the_loop_job_is_registered_and_expires_on_the_real_clock(client, flow, events):
    assert expiry_job in spec().jobs
    accreditation = await flow.accredit("res-alice", "full")
    yesterday = dt.date.today() - dt.timedelta(days=1)
    async with client.runtime.db.engine.begin() as conn:
        await conn.execute(
            update(Accreditation)
            .where(Accreditation.id == accreditation["id"])
            .values(valid_until=yesterday)
        )
    job = asyncio.create_task(expiry_job(client.runtime))
    try:

        async def expired() -> None:
            while not await events("srs.accreditation.expired.v1"):
                await asyncio.sleep(0.02)

        await asyncio.wait_for(expired(), timeout=10)
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)
