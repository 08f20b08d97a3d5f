"""Dataset requirements: a requested dataset's supplementary form becomes a task on the
application; the lead completes it, the dataset's team accepts or returns it, and the
panel cannot approve until every one is accepted."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.access import DatasetCatalogued

LS_FORM = {
    "key": "ls_supplementary_form",
    "kind": "supplementary_form",
    "name": "LS supplementary form",
    "accepted_by": "ONS LS team",
    "description": "The Longitudinal Study's own questions.",
    "questions": [
        {"key": "sector", "label": "Sector", "choices": ["academic", "voluntary", "public"]},
        {"key": "census_years", "label": "Census years"},
        {"key": "celsius_contact", "label": "CeLSIUS contact", "required": False},
    ],
}
ANSWERS = {"answers": {"sector": "academic", "census_years": "1971 to 2011"}}


async def catalogue(projects, dataset_id="ds-ons-ls", requirements=(LS_FORM,), at=None) -> None:
    await projects.deliver(
        projects.client,
        DatasetCatalogued(
            dataset_id=dataset_id,
            title="ONS Longitudinal Study",
            owner="ONS",
            access_level="safe_setting",
            disclosure_threshold=10,
            requirements=list(requirements),
            occurred_at=at or dt.datetime.now(dt.UTC),
        ),
        subject=dataset_id,
        source="/srs/access",
    )


def team(projects, org="ONS LS team"):
    return projects.tokens.headers("data_owner", sub=f"owner-{org}", org=org)


async def ls_application(projects, client, lead="res-alice") -> tuple[str, str]:
    project_id = await projects.under_review(lead, dataset_ids=["ds-csew-2019", "ds-ons-ls"])
    [task] = (await projects.get(project_id))["dataset_requirements"]
    return project_id, task["id"]


async def test_the_form_is_completed_accepted_and_then_the_panel_may_approve(projects, client):
    await catalogue(projects)
    project_id, requirement_id = await ls_application(projects, client)
    task = (await projects.get(project_id))["dataset_requirements"][0]
    assert task["status"] == "required" and task["dataset_id"] == "ds-ons-ls"
    assert task["name"] == "LS supplementary form" and task["accepted_by"] == "ONS LS team"
    assert [q["key"] for q in task["questions"]] == ["sector", "census_years", "celsius_contact"]

    # The panel cannot approve while the form is outstanding: the problem names it.
    approve = f"/v1/projects/{project_id}/approve"
    refused = await client.post(
        approve, headers=projects.panel, json={"reason": "clear public benefit"}
    )
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["rule"] == "dataset_requirement_outstanding"
    assert "LS supplementary form" in problem["detail"] and "required" in problem["detail"]
    assert problem["requirements"][0]["id"] == requirement_id
    assert (await projects.get(project_id))["status"] == "under_review"

    alice = projects.researcher("res-alice")
    url = f"/v1/dataset-requirements/{requirement_id}"
    sent = await client.post(f"{url}/submission", headers=alice, json=ANSWERS)
    assert sent.status_code == 200, sent.text
    assert sent.json()["status"] == "submitted" and sent.json()["answers"] == ANSWERS["answers"]
    [event] = await projects.events("srs.dataset_requirement.submitted.v1")
    assert event["accepted_by"] == "ONS LS team" and event["project_id"] == project_id
    # Sent once: a second submission before the team decides is a conflict.
    assert (await client.post(f"{url}/submission", headers=alice, json=ANSWERS)).status_code == 409

    # The team returns it with a reason; the lead corrects it and sends it again.
    returned = await client.post(
        f"{url}/return", headers=team(projects), json={"reason": "Name the census years."}
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert returned.json()["return_reason"] == "Name the census years."
    [event] = await projects.events("srs.dataset_requirement.returned.v1")
    assert (
        event["reason"] == "Name the census years." and event["lead_researcher_id"] == "res-alice"
    )
    still = await client.post(
        approve, headers=projects.panel, json={"reason": "clear public benefit"}
    )
    assert still.status_code == 422 and "returned" in still.json()["detail"]
    again = await client.post(f"{url}/submission", headers=alice, json=ANSWERS)
    assert again.status_code == 200 and again.json()["return_reason"] is None

    accepted = await client.post(f"{url}/accept", headers=team(projects))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["decided_by"] == "owner-ONS LS team"
    assert len(await projects.events("srs.dataset_requirement.accepted.v1")) == 1
    # Both decisions are in the project's audited decision log.
    actions = [(d["action"], d["reason"]) for d in (await projects.get(project_id))["decisions"]]
    assert ("requirement_return", "Name the census years.") in actions
    assert ("requirement_accept", None) in actions

    approved = await client.post(
        approve, headers=projects.panel, json={"reason": "clear public benefit"}
    )
    assert approved.status_code == 200, approved.text
    # Decided: the form cannot change any more.
    late = await client.post(f"{url}/return", headers=projects.support, json={"reason": "late"})
    assert late.status_code == 409


async def test_who_may_complete_and_decide_the_form(projects, client):
    await catalogue(projects)
    await projects.accredit("res-bob")
    project_id, requirement_id = await ls_application(projects, client)
    url = f"/v1/dataset-requirements/{requirement_id}"
    # Another project's lead: not theirs to see or complete.
    bob = projects.researcher("res-bob")
    assert (await client.get(url, headers=bob)).status_code == 404
    assert (await client.post(f"{url}/submission", headers=bob, json=ANSWERS)).status_code == 404
    # The dataset's team does not see a form the lead has not sent yet.
    assert (await client.get(url, headers=team(projects))).status_code == 404
    listed = await client.get("/v1/dataset-requirements", headers=team(projects))
    assert listed.status_code == 200 and listed.json()["items"] == []

    alice = projects.researcher("res-alice")
    assert (await client.post(f"{url}/submission", headers=alice, json=ANSWERS)).status_code == 200

    # Researchers (even the lead) and the panel cannot accept; a data owner of another
    # dataset's team cannot see it at all.
    assert (await client.post(f"{url}/accept", headers=alice)).status_code == 403
    assert (await client.post(f"{url}/accept", headers=projects.panel)).status_code == 403
    other_owner = team(projects, org="ONS Health")
    assert (await client.post(f"{url}/accept", headers=other_owner)).status_code == 404
    assert (await client.get(url, headers=other_owner)).status_code == 404
    other_list = await client.get("/v1/dataset-requirements", headers=other_owner)
    assert requirement_id not in other_list.text

    # The team lists what awaits it, with the application's title.
    waiting = await client.get("/v1/dataset-requirements?status=submitted", headers=team(projects))
    [item] = waiting.json()["items"]
    assert (
        item["id"] == requirement_id and item["project_title"] == "Burglary security effectiveness"
    )
    assert item["answers"]["sector"] == "academic"
    assert item["lead_researcher_id"] == "res-alice" and "lead_name" in item
    # Support may decide for any team.
    assert (await client.post(f"{url}/accept", headers=projects.support)).status_code == 200


async def test_a_member_who_does_not_lead_cannot_complete_the_form(projects, client):
    await catalogue(projects)
    await projects.accredit("res-carol")
    project_id = await projects.draft(dataset_ids=["ds-ons-ls"])
    await projects.join(project_id, "res-carol")
    [task] = (await projects.get(project_id))["dataset_requirements"]
    carol = projects.researcher("res-carol")
    seen = await client.get(f"/v1/dataset-requirements/{task['id']}", headers=carol)
    assert seen.status_code == 200
    refused = await client.post(
        f"/v1/dataset-requirements/{task['id']}/submission", headers=carol, json=ANSWERS
    )
    assert refused.status_code == 403


async def test_bad_answers_are_a_problem_naming_each_question(projects, client):
    await catalogue(projects)
    project_id = await projects.draft(dataset_ids=["ds-ons-ls"])
    [task] = (await projects.get(project_id))["dataset_requirements"]
    url = f"/v1/dataset-requirements/{task['id']}/submission"
    alice = projects.researcher("res-alice")
    bad = await client.post(
        url, headers=alice, json={"answers": {"sector": "private", "colour": "blue"}}
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    problem = bad.json()
    assert problem["rule"] == "form_answers_invalid"
    assert {e["field"] for e in problem["errors"]} == {
        "answers.sector",
        "answers.colour",
        "answers.census_years",
    }
    assert "choose one of: academic, voluntary, public" in problem["detail"]
    unknown_field = await client.post(url, headers=alice, json={**ANSWERS, "extra": 1})
    assert unknown_field.status_code == 422
    assert (await client.post(url, headers=alice, json={"answers": "x"})).status_code == 422
    assert (await projects.get(project_id))["dataset_requirements"][0]["status"] == "required"


async def test_tasks_follow_the_catalogue_and_the_datasets_asked_for(projects, client):
    project_id = await projects.draft(dataset_ids=["ds-ons-ls"])
    # The catalogue has not spoken yet: nothing is required.
    assert (await projects.get(project_id))["dataset_requirements"] == []
    now = dt.datetime.now(dt.UTC)
    await catalogue(projects, at=now)
    [task] = (await projects.get(project_id))["dataset_requirements"]
    assert task["name"] == "LS supplementary form"
    # An older catalogue event arriving late changes nothing.
    await catalogue(projects, requirements=(), at=now - dt.timedelta(hours=1))
    assert len((await projects.get(project_id))["dataset_requirements"]) == 1
    # The lead drops the dataset: its task goes; asks for it again: it is back.
    alice = projects.researcher("res-alice")
    edit = f"/v1/projects/{project_id}"
    await client.patch(edit, headers=alice, json={"dataset_ids": ["ds-csew-2019"]})
    assert (await projects.get(project_id))["dataset_requirements"] == []
    await client.patch(edit, headers=alice, json={"dataset_ids": ["ds-ons-ls"]})
    assert len((await projects.get(project_id))["dataset_requirements"]) == 1
    # The catalogue removes the requirement: the undecided application no longer needs it.
    await catalogue(projects, requirements=(), at=now + dt.timedelta(minutes=1))
    assert (await projects.get(project_id))["dataset_requirements"] == []
