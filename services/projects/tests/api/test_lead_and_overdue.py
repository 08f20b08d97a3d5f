"""A project whose lead is revoked is suspended until support names a new lead; a
project past its end date becomes overdue and, after the grace period, is suspended."""

from __future__ import annotations

import asyncio
import datetime as dt

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.contracts.accreditation import AccreditationRevoked
from srs_projects.jobs import enforce_completion_dates

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()


async def revoke(projects, researcher_id: str, at: dt.datetime | None = None) -> None:
    await projects.accredit(
        researcher_id,
        contract=AccreditationRevoked,
        status="revoked",
        reason="breach of the declaration",
        occurred_at=at or dt.datetime.now(dt.UTC),
    )


# --- the lead's accreditation is revoked ---------------------------------------------------


async def test_revoking_the_lead_suspends_the_project_until_a_new_lead(projects, client):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    await projects.join(project_id, "res-bob")
    await revoke(projects, "res-alice")
    body = await projects.get(project_id)
    assert (body["status"], body["suspension_reason"]) == ("suspended", "lead_revoked")
    [suspended] = await projects.events("srs.project.suspended.v1")
    # The cause is for programs; the reason is for people and carries no code.
    assert (suspended["cause"], suspended["lead_researcher_id"]) == ("lead_revoked", "res-alice")
    assert suspended["reason"].startswith("the lead researcher's accreditation was revoked")
    # The same revocation again (a repeat under a new event id) suspends nothing more.
    await revoke(projects, "res-alice")
    assert len(await projects.events("srs.project.suspended.v1")) == 1

    resumed = await client.post(
        f"/v1/projects/{project_id}/resume", headers=projects.support, json={"reason": "looks fine"}
    )
    assert resumed.status_code == 422 and resumed.json()["rule"] == "new_lead_required"

    handover = {"researcher_id": "res-bob", "reason": "previous lead's accreditation revoked"}
    lead = await client.post(
        f"/v1/projects/{project_id}/lead", json=handover, headers=projects.researcher("res-bob")
    )
    assert lead.status_code == 403
    handed = await client.post(
        f"/v1/projects/{project_id}/lead", json=handover, headers=projects.support
    )
    assert handed.status_code == 200, handed.text
    body = handed.json()
    assert (body["status"], body["lead_researcher_id"], body["suspension_reason"]) == (
        "active",
        "res-bob",
        None,
    )
    assert [(m["researcher_id"], m["role"]) for m in body["members"]] == [("res-bob", "lead")]
    types = [e["_type"].split(".")[2] for e in await projects.events()]
    assert types[-4:] == ["lead_changed", "member_removed", "member_added", "resumed"]
    [changed] = await projects.events("srs.project.lead_changed.v1")
    assert (changed["previous_lead_researcher_id"], changed["lead_researcher_id"]) == (
        "res-alice",
        "res-bob",
    )
    # The new lead acts as lead; the old one no longer can.
    bob_asks = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=projects.researcher("res-bob"),
        json={"expected_end_date": str(TODAY + dt.timedelta(days=900)), "reason": "handover delay"},
    )
    assert bob_asks.status_code == 201


async def test_the_new_lead_must_be_fully_accredited(projects, client):
    await projects.accredit("res-prov", kind="provisional")
    project_id = await projects.active()
    await revoke(projects, "res-alice")
    for researcher_id, rule in (
        ("res-prov", "lead_provisional"),
        ("res-none", "accreditation_required"),
    ):
        refused = await client.post(
            f"/v1/projects/{project_id}/lead",
            headers=projects.support,
            json={"researcher_id": researcher_id, "reason": "handover"},
        )
        assert refused.status_code == 422 and refused.json()["rule"] == rule
    assert (await projects.get(project_id))["status"] == "suspended"


async def test_revoking_a_member_who_does_not_lead_leaves_the_project_running(projects):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    await projects.join(project_id, "res-bob")
    await revoke(projects, "res-bob")
    assert (await projects.get(project_id))["status"] == "active"
    assert await projects.events("srs.project.suspended.v1") == []


# --- past the expected completion date -----------------------------------------------------


async def run(client, at: dt.datetime, grace_days: int = 30) -> dict[str, list[str]]:
    async with client.runtime.db.transaction() as session:
        return await enforce_completion_dates(
            session, at, grace_days=grace_days, remind_every_days=7
        )


async def test_overdue_then_suspended_after_the_grace_period(projects, client):
    end = TODAY + dt.timedelta(days=10)
    project_id = await projects.active(expected_end_date=str(end), expected_start_date=str(TODAY))
    day_after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
    assert (await run(client, day_after - dt.timedelta(days=1)))["overdue"] == []
    assert (await run(client, day_after))["overdue"] == [project_id]
    body = await projects.get(project_id)
    grace_ends = dt.datetime.combine(end + dt.timedelta(days=31), dt.time(), tzinfo=dt.UTC)
    assert body["status"] == "overdue"
    assert dt.datetime.fromisoformat(body["overdue_grace_ends_at"]) == grace_ends
    [overdue] = await projects.events("srs.project.overdue.v1")
    assert (overdue["lead_researcher_id"], overdue["expected_end_date"]) == ("res-alice", str(end))
    assert dt.datetime.fromisoformat(overdue["grace_ends_at"]) == grace_ends
    assert await run(client, day_after) == {"overdue": [], "reminded": [], "suspended": []}

    # Reminders keep going to the lead while it stays overdue.
    assert (await run(client, day_after + dt.timedelta(days=7)))["reminded"] == [project_id]
    assert len(await projects.events("srs.project.overdue.v1")) == 2

    # The grace period ends: suspended, so other services disable the accounts.
    assert (await run(client, grace_ends))["suspended"] == [project_id]
    body = await projects.get(project_id)
    assert (body["status"], body["suspension_reason"]) == ("suspended", "overdue")
    [suspended] = await projects.events("srs.project.suspended.v1")
    assert suspended["cause"] == "overdue"
    assert suspended["reason"].startswith("the project is past its expected completion date")
    resumed = await client.post(
        f"/v1/projects/{project_id}/resume", headers=projects.support, json={"reason": "please"}
    )
    assert resumed.status_code == 422 and resumed.json()["rule"] == "extension_required"

    # An approved extension ends it: the project resumes.
    alice = projects.researcher("res-alice")
    asked = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": str(TODAY + dt.timedelta(days=200)), "reason": "late data"},
    )
    assert asked.status_code == 201, asked.text
    approved = await client.post(
        f"/v1/projects/{project_id}/extensions/{asked.json()['id']}/approve",
        headers=projects.support,
    )
    assert approved.status_code == 200, approved.text
    body = await projects.get(project_id)
    assert (body["status"], body["suspension_reason"], body["overdue_grace_ends_at"]) == (
        "active",
        None,
        None,
    )
    assert len(await projects.events("srs.project.extended.v1")) == 1
    assert len(await projects.events("srs.project.resumed.v1")) == 1


async def test_an_overdue_project_can_still_be_completed(projects, client):
    end = TODAY + dt.timedelta(days=3)
    project_id = await projects.active(expected_end_date=str(end), expected_start_date=str(TODAY))
    await run(client, dt.datetime.combine(end + dt.timedelta(days=40), dt.time(), tzinfo=dt.UTC))
    assert (await projects.get(project_id))["status"] == "suspended"
    done = await client.post(
        f"/v1/projects/{project_id}/complete",
        headers=projects.researcher("res-alice"),
        json={"final_publications": []},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "completed"
    # Completion is what has pre-publication outputs destroyed, as for any project.
    assert len(await projects.events("srs.project.completed.v1")) == 1


async def test_an_extension_before_the_grace_period_ends_keeps_accounts(projects, client):
    end = TODAY + dt.timedelta(days=3)
    project_id = await projects.active(expected_end_date=str(end), expected_start_date=str(TODAY))
    await run(client, dt.datetime.combine(end + dt.timedelta(days=2), dt.time(), tzinfo=dt.UTC))
    alice = projects.researcher("res-alice")
    asked = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": str(end + dt.timedelta(days=90)), "reason": "late data"},
    )
    await client.post(
        f"/v1/projects/{project_id}/extensions/{asked.json()['id']}/approve",
        headers=projects.support,
    )
    assert (await projects.get(project_id))["status"] == "active"
    assert await projects.events("srs.project.suspended.v1") == []
    assert await projects.events("srs.project.resumed.v1") == []


async def test_the_grace_period_comes_from_settings(projects, service_client):
    yesterday = TODAY - dt.timedelta(days=1)
    project_id = await projects.active(
        expected_end_date=str(yesterday), expected_start_date=str(yesterday - dt.timedelta(days=90))
    )
    async with service_client(
        "projects", truncate=False, run_consumers=True, overdue_grace_days=0
    ) as worker:
        [job] = [t for t in worker.runtime.tasks if t.get_name() == "completion_reminder_job"]
        for _ in range(200):
            if await projects.events("srs.project.suspended.v1"):
                break
            await asyncio.sleep(0.05)
        assert not job.done()
    [overdue] = await projects.events("srs.project.overdue.v1")
    assert dt.datetime.fromisoformat(overdue["grace_ends_at"]) == dt.datetime.combine(
        TODAY, dt.time(), tzinfo=dt.UTC
    )
    [suspended] = await projects.events("srs.project.suspended.v1")
    assert suspended["project_id"] == project_id


async def test_the_previous_leads_supervisees_work_under_the_new_lead(projects, client):
    await projects.accredit("res-bob")
    await projects.accredit("res-prov", kind="provisional")
    project_id = await projects.draft()
    alice = projects.researcher("res-alice")
    added = await client.post(
        f"/v1/projects/{project_id}/members",
        headers=alice,
        json={"researcher_id": "res-prov", "role": "researcher", "supervisor_id": "res-alice"},
    )
    assert added.status_code == 201, added.text
    for path, headers, body in (
        (f"/v1/projects/{project_id}/submit", alice, None),
        (f"/v1/projects/{project_id}/review", projects.panel, None),
        (f"/v1/projects/{project_id}/approve", projects.panel, {"reason": "clear public benefit"}),
    ):
        assert (await client.post(path, headers=headers, json=body)).status_code == 200
    await revoke(projects, "res-alice")
    [prov] = [
        m for m in (await projects.get(project_id))["members"] if m["researcher_id"] == "res-prov"
    ]
    assert (prov["active"], prov["inactive_reason"]) == (False, "supervisor_inactive")

    handed = await client.post(
        f"/v1/projects/{project_id}/lead",
        headers=projects.support,
        json={"researcher_id": "res-bob", "reason": "lead revoked"},
    )
    assert handed.status_code == 200, handed.text
    members = {m["researcher_id"]: m for m in handed.json()["members"]}
    assert sorted(members) == ["res-bob", "res-prov"]
    assert (members["res-prov"]["active"], members["res-prov"]["supervisor_id"]) == (
        True,
        "res-bob",
    )
    reactivated = await projects.events("srs.project.member_reactivated.v1")
    assert [e["researcher_id"] for e in reactivated] == ["res-prov"]
    # Suspended before its space was provisioned: it resumes as approved, and the
    # provisioning then activates it as usual.
    assert handed.json()["status"] == "approved"
    await projects.deliver(
        client,
        ProjectSpaceProvisioned(
            project_id=project_id,
            space_id=f"spc-{project_id}",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-bob"],
            provisioned_at=dt.datetime.now(dt.UTC),
        ),
        subject=project_id,
        source="/srs/access",
    )
    assert (await projects.get(project_id))["status"] == "active"
    assert len(await projects.events("srs.project.activated.v1")) == 1
