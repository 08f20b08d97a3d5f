"""Completion with a case study: staff nominate a completed project with a reason, the
lead consents or declines; the public register lists final publications and marks only
consenting case studies."""

from __future__ import annotations

PAPER = {"title": "Burglary and security", "url": "https://doi.org/10.1000/xyz"}
REASON = {"reason": "Innovative linkage with strong public benefit."}


async def completed(projects, client, lead: str = "res-alice", **overrides) -> str:
    project_id = await projects.active(lead, **overrides)
    done = await client.post(
        f"/v1/projects/{project_id}/complete",
        headers=projects.researcher(lead),
        json={"final_publications": [PAPER]},
    )
    assert done.status_code == 200, done.text
    return project_id


async def register(client) -> dict[str, dict]:
    response = await client.get("/v1/register/projects")
    assert response.status_code == 200, response.text
    return {e["id"]: e for e in response.json()["items"]}


async def test_staff_nominate_and_the_lead_consents(projects, client):
    await projects.accredit("res-bob")
    project_id = await completed(projects, client)
    url = f"/v1/projects/{project_id}/case-study"
    alice = projects.researcher("res-alice")
    entry = (await register(client))[project_id]
    assert entry["final_publications"] == [PAPER] and entry["case_study"] is False

    # Researchers (even the lead) cannot nominate; bad input is a 422.
    assert (await client.post(url, headers=alice, json=REASON)).status_code == 403
    assert (
        await client.post(url, headers=projects.support, json={"reason": ""})
    ).status_code == 422
    assert (await client.post(url, headers=projects.support, json={})).status_code == 422
    # Nothing to answer before a nomination.
    early = await client.post(f"{url}/consent", headers=alice, json={"consent": True})
    assert early.status_code == 409

    nominated = await client.post(url, headers=projects.support, json=REASON)
    assert nominated.status_code == 200, nominated.text
    case = nominated.json()["case_study"]
    assert case["status"] == "nominated" and case["nominated_by"] == "support-1"
    assert case["reason"] == REASON["reason"]
    again = await client.post(url, headers=projects.support, json=REASON)
    assert again.status_code == 409
    [event] = await projects.events("srs.project.case_study_nominated.v1")
    assert event["lead_researcher_id"] == "res-alice" and event["reason"] == REASON["reason"]
    assert (await register(client))[project_id]["case_study"] is False  # no consent yet

    # Only the lead answers: a stranger gets 404, a bad body 422.
    stranger = projects.researcher("res-bob")
    assert (
        await client.post(f"{url}/consent", headers=stranger, json={"consent": True})
    ).status_code == 404
    for bad in ({}, {"consent": "maybe"}, {"consent": True, "extra": 1}):
        assert (await client.post(f"{url}/consent", headers=alice, json=bad)).status_code == 422
    consented = await client.post(f"{url}/consent", headers=alice, json={"consent": True})
    assert consented.status_code == 200, consented.text
    assert consented.json()["case_study"]["status"] == "consented"
    twice = await client.post(f"{url}/consent", headers=alice, json={"consent": False})
    assert twice.status_code == 409
    [answered] = await projects.events("srs.project.case_study_answered.v1")
    assert answered["consent"] is True
    assert (await register(client))[project_id]["case_study"] is True
    actions = [d["action"] for d in (await projects.get(project_id))["decisions"]]
    assert actions[-2:] == ["case_study_nominate", "case_study_consent"]


async def test_a_declined_case_study_is_not_shown_and_only_completed_projects_qualify(
    projects, client
):
    await projects.accredit("res-carol")
    active = await projects.active("res-carol")
    refused = await client.post(
        f"/v1/projects/{active}/case-study", headers=projects.support, json=REASON
    )
    assert refused.status_code == 409 and refused.json()["current_state"] == "active"
    unknown = await client.post(
        "/v1/projects/prj_none/case-study", headers=projects.support, json=REASON
    )
    assert unknown.status_code == 404

    project_id = await completed(projects, client)
    url = f"/v1/projects/{project_id}/case-study"
    assert (await client.post(url, headers=projects.support, json=REASON)).status_code == 200
    declined = await client.post(
        f"{url}/consent", headers=projects.researcher("res-alice"), json={"consent": False}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["case_study"]["status"] == "declined"
    entries = await register(client)
    assert entries[project_id]["case_study"] is False
    assert entries[project_id]["final_publications"] == [PAPER]
    assert entries[active]["final_publications"] == []
