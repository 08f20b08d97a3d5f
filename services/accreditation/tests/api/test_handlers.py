"""Reacting to others: an overdue destruction of outputs suspends the researcher once."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.clearance import OutputDestructionOverdue
from srs_common.testing import event_from


def overdue(requester: str, output_id: str = "out_1") -> OutputDestructionOverdue:
    return OutputDestructionOverdue(
        output_id=output_id,
        project_id="prj_1",
        organisation_id="org-ntu",
        requester_id=requester,
        kind="pre_publication",
        occurred_at=dt.datetime(2026, 12, 26, 9, tzinfo=dt.UTC),
        deadline=dt.datetime(2026, 12, 25, 10, tzinfo=dt.UTC),
    )


async def test_destruction_overdue_suspends_the_current_accreditation_once(
    client, flow, events, deliver
):
    accreditation = await flow.accredit("res-alice", "full")
    other = await flow.accredit("res-bob", "full")
    event = event_from(overdue("res-alice"), subject="out_1", source="/srs/clearance")
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False  # redelivery
    assert await deliver(client, overdue("res-alice", "out_2"), subject="out_2") is True
    [suspended] = await events("srs.accreditation.suspended.v1")
    assert suspended["accreditation_id"] == accreditation["id"]
    assert "out_1" in suspended["reason"] and "not destroyed" in suspended["reason"]
    mine = (
        await client.get(f"/v1/accreditations/{accreditation['id']}", headers=flow.support)
    ).json()
    assert mine["status"] == "suspended" and "out_1" in mine["status_reason"]
    theirs = (await client.get(f"/v1/accreditations/{other['id']}", headers=flow.support)).json()
    assert theirs["status"] == "current"


async def test_destruction_overdue_for_an_unknown_or_unaccredited_researcher_changes_nothing(
    client, flow, events, deliver
):
    await flow.register("res-alice")
    assert await deliver(client, overdue("res-alice"), subject="out_1") is True
    assert await deliver(client, overdue("res-nobody"), subject="out_2") is True
    assert await events("srs.accreditation.suspended.v1") == []


async def test_the_service_consumes_the_clearance_topic(client):
    spec = client.app.state.spec
    assert "srs.clearance" in spec.consumed_topics
    assert OutputDestructionOverdue.type in spec.handlers
