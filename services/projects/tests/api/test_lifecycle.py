"""During and after the project: suspension, extensions, completion, reminders."""

from __future__ import annotations

import asyncio
import datetime as dt

from srs_projects.jobs import send_completion_reminders

NOW = dt.datetime.now(dt.UTC)


async def test_support_suspends_and_resumes_with_events(projects, client):
    project_id = await projects.active()
    suspended = await client.post(
        f"/v1/projects/{project_id}/suspend",
        headers=projects.support,
        json={"reason": "ethics approval lapsed"},
    )
    assert suspended.json()["status"] == "suspended"
    twice = await client.post(
        f"/v1/projects/{project_id}/suspend", headers=projects.support, json={"reason": "again"}
    )
    assert twice.status_code == 409 and twice.json()["current_state"] == "suspended"
    resumed = await client.post(
        f"/v1/projects/{project_id}/resume",
        headers=projects.support,
        json={"reason": "ethics renewed"},
    )
    assert resumed.json()["status"] == "active"
    [event] = await projects.events("srs.project.suspended.v1")
    assert (event["reason"], event["cause"]) == ("ethics approval lapsed", "staff")
    assert len(await projects.events("srs.project.resumed.v1")) == 1
    lead = await client.post(
        f"/v1/projects/{project_id}/suspend",
        json={"reason": "mine"},
        headers=projects.researcher("res-alice"),
    )
    assert lead.status_code == 403


async def test_extension_requested_by_the_lead_and_approved_by_support(projects, client):
    project_id = await projects.active()
    alice = projects.researcher("res-alice")
    old_end = dt.date.fromisoformat((await projects.get(project_id))["expected_end_date"])
    earlier = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": str(old_end - dt.timedelta(days=1)), "reason": "shorter please"},
    )
    assert earlier.status_code == 422 and earlier.json()["rule"] == "extension_not_later"

    new_end = old_end + dt.timedelta(days=180)
    requested = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": str(new_end), "reason": "survey wave delayed"},
    )
    assert requested.status_code == 201
    extension_id = requested.json()["id"]
    second = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": str(new_end), "reason": "again"},
    )
    assert second.status_code == 409
    assert await projects.events("srs.project.extended.v1") == []

    by_lead = await client.post(
        f"/v1/projects/{project_id}/extensions/{extension_id}/approve", headers=alice
    )
    assert by_lead.status_code == 403
    approved = await client.post(
        f"/v1/projects/{project_id}/extensions/{extension_id}/approve", headers=projects.support
    )
    assert approved.json()["status"] == "approved"
    assert (await projects.get(project_id))["expected_end_date"] == str(new_end)
    [event] = await projects.events("srs.project.extended.v1")
    assert (event["previous_end_date"], event["expected_end_date"]) == (str(old_end), str(new_end))
    again = await client.post(
        f"/v1/projects/{project_id}/extensions/{extension_id}/refuse", headers=projects.support
    )
    assert again.status_code == 409 and again.json()["current_state"] == "approved"
    listed = await client.get(f"/v1/projects/{project_id}/extensions", headers=alice)
    assert [e["status"] for e in listed.json()] == ["approved"]


async def test_refused_extension_leaves_the_date(projects, client):
    project_id = await projects.active()
    before = (await projects.get(project_id))["expected_end_date"]
    requested = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=projects.researcher("res-alice"),
        json={"expected_end_date": "2099-01-01", "reason": "more"},
    )
    refused = await client.post(
        f"/v1/projects/{project_id}/extensions/{requested.json()['id']}/refuse",
        headers=projects.support,
    )
    assert refused.json()["status"] == "refused"
    assert (await projects.get(project_id))["expected_end_date"] == before
    assert await projects.events("srs.project.extended.v1") == []


async def test_completion_records_publications_and_tells_everyone(projects, client):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    alice = projects.researcher("res-alice")
    await projects.join(project_id, "res-bob")
    bad = await client.post(
        f"/v1/projects/{project_id}/complete",
        headers=alice,
        json={"final_publications": [{"title": "Paper", "url": "not a url"}]},
    )
    assert bad.status_code == 422
    done = await client.post(
        f"/v1/projects/{project_id}/complete",
        headers=alice,
        json={
            "final_publications": [
                {"title": "Burglary and security", "url": "https://doi.org/10.1000/xyz"}
            ]
        },
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed"
    assert body["final_publications"] == [
        {"title": "Burglary and security", "url": "https://doi.org/10.1000/xyz"}
    ]
    [event] = await projects.events("srs.project.completed.v1")
    assert event["member_ids"] == ["res-alice", "res-bob"]
    assert event["final_publications"][0]["title"] == "Burglary and security"
    again = await client.post(f"/v1/projects/{project_id}/complete", headers=alice, json={})
    assert again.status_code == 409 and again.json()["current_state"] == "completed"


async def test_a_draft_cannot_be_completed_or_extended(projects, client):
    project_id = await projects.draft()
    alice = projects.researcher("res-alice")
    done = await client.post(f"/v1/projects/{project_id}/complete", headers=alice, json={})
    assert done.status_code == 409 and done.json()["current_state"] == "draft"
    extend = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=alice,
        json={"expected_end_date": "2099-01-01", "reason": "more time"},
    )
    assert extend.status_code == 409


# --- the completion reminder ---------------------------------------------------------------


async def test_reminder_30_days_before_the_end_once_per_date(projects, client):
    end = NOW.date() + dt.timedelta(days=100)
    project_id = await projects.active(expected_end_date=str(end))
    db = client.runtime.db

    async def run(at: dt.datetime) -> list[str]:
        async with db.transaction() as session:
            return await send_completion_reminders(session, at)

    assert await run(NOW + dt.timedelta(days=69)) == []  # 31 days before
    assert await run(NOW + dt.timedelta(days=70)) == [project_id]  # 30 days before
    assert await run(NOW + dt.timedelta(days=71)) == []  # already reminded
    [event] = await projects.events("srs.project.completion_due.v1")
    assert (event["lead_researcher_id"], event["expected_end_date"], event["days_before"]) == (
        "res-alice",
        str(end),
        30,
    )

    # An extension moves the date: the new date gets its own reminder.
    requested = await client.post(
        f"/v1/projects/{project_id}/extensions",
        headers=projects.researcher("res-alice"),
        json={"expected_end_date": str(end + dt.timedelta(days=60)), "reason": "delayed data"},
    )
    await client.post(
        f"/v1/projects/{project_id}/extensions/{requested.json()['id']}/approve",
        headers=projects.support,
    )
    assert await run(NOW + dt.timedelta(days=75)) == []
    assert await run(NOW + dt.timedelta(days=130)) == [project_id]


async def test_two_replicas_running_the_reminder_at_once_send_one(projects, client):
    end = NOW.date() + dt.timedelta(days=20)
    project_id = await projects.active(
        expected_end_date=str(end), expected_start_date=str(NOW.date())
    )
    db = client.runtime.db

    async def replica() -> list[str]:
        async with db.transaction() as session:
            return await send_completion_reminders(session, NOW)

    results = await asyncio.gather(replica(), replica())
    assert sorted(results) == [[], [project_id]]
    assert len(await projects.events("srs.project.completion_due.v1")) == 1


async def test_no_reminder_for_projects_not_active(projects, client):
    await projects.approved(
        expected_end_date=str(NOW.date() + dt.timedelta(days=10)),
        expected_start_date=str(NOW.date()),
    )
    async with client.runtime.db.transaction() as session:
        assert await send_completion_reminders(session, NOW) == []


async def test_the_reminder_job_runs_in_the_worker(projects, service_client):
    project_id = await projects.active(
        expected_end_date=str(NOW.date() + dt.timedelta(days=5)),
        expected_start_date=str(NOW.date()),
    )
    async with service_client("projects", truncate=False, run_consumers=True) as worker:
        [job] = [t for t in worker.runtime.tasks if t.get_name() == "completion_reminder_job"]
        for _ in range(200):
            if await projects.events("srs.project.completion_due.v1"):
                break
            await asyncio.sleep(0.05)
        assert not job.done()
    [event] = await projects.events("srs.project.completion_due.v1")
    assert event["project_id"] == project_id
