"""The Research Accreditation Panel's workspace in the portal, against the real
accreditation, projects and access services: the queues oldest first, an application's
page beside its rules, each decision with its reason (and the error summary without
one), the project's priority, the decision times, and who may not open any of it."""

from __future__ import annotations

import datetime as dt

from srs_portal.staff.panel_figures import summarise

from .staff_world import (
    accreditation_application,
    as_user,
    assert_only,
    csrf_of,
    profile,
    project_application,
    researcher,
)


async def test_the_queues_list_what_awaits_the_panel_oldest_first(world, deliver):
    first = await accreditation_application(world, "res-alice", "Alice Example", "alice")
    second = await accreditation_application(world, "res-bob", "Bob Example", "bob")
    project_id = await project_application(world, deliver, "Burglary security effectiveness")
    await as_user(world, "panel")
    dashboard = await world["portal"].get("/dashboard")
    assert dashboard.status_code == 200
    assert 'href="/panel"' in dashboard.text and "Research Accreditation Panel" in dashboard.text
    queue = await world["portal"].get("/panel")
    assert queue.status_code == 200 and queue.headers["cache-control"] == "no-store"
    table = queue.text[queue.text.index('id="accreditation-queue"') :]
    assert table.index(first) < table.index(second)  # oldest first
    assert "Full accredited researcher" in table
    assert f'href="/panel/projects/{project_id}"' in queue.text
    assert "Burglary security effectiveness" in queue.text
    assert "No decision yet" in queue.text  # nothing decided in the last 90 days


async def test_the_panel_decides_an_accreditation_application_with_a_reason(world):
    application_id = await accreditation_application(
        world, "res-alice", "Alice Example", "alice", statement="Criminology PhD, year 3"
    )
    other_id = await accreditation_application(world, "res-bob", "Bob Example", "bob")
    await as_user(world, "panel")
    url = f"/panel/accreditation-applications/{application_id}"
    page = await world["portal"].get(url)
    assert page.status_code == 200
    assert "Criminology PhD, year 3" in page.text  # what was submitted ...
    assert "at least three years of quantitative research experience" in page.text  # ... rules
    qualifications = page.text[page.text.index('id="qualifications"') :][:2000]
    assert "Alice Example" in qualifications and "Masters" in qualifications  # ... the facts
    missing = await world["portal"].post(
        url + "/decision", data={"decision": "approve", "csrf_token": csrf_of(page)}
    )
    assert missing.status_code == 422
    assert "There is a problem" in missing.text
    assert "Enter the reason for approving" in missing.text and 'href="#reason"' in missing.text
    done = await world["portal"].post(
        url + "/decision",
        data={
            "decision": "approve",
            "reason": "Meets the criteria for full accreditation.",
            "conditions": "Outputs checked by a second researcher first.",
            "csrf_token": csrf_of(page),
        },
    )
    assert done.status_code == 303 and done.headers["location"] == url
    decided = await world["portal"].get(url)
    assert "Meets the criteria for full accreditation." in decided.text
    assert "Priya Shah" in decided.text  # who decided, by name (the staff directory)
    assert 'id="record-decision"' not in decided.text  # decided: no form any more
    read = await world["accreditation"].get(
        f"/v1/applications/{application_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "approved"
    assert read.json()["conditions"] == "Outputs checked by a second researcher first."
    # The figure now counts the decision.
    queue = await world["portal"].get("/panel")
    figure = queue.text[queue.text.index('id="figure-accreditation"') :][:1500]
    assert "No decision yet" not in figure and "days" in figure
    assert application_id not in queue.text[: queue.text.index('id="projects-heading"')]

    other = f"/panel/accreditation-applications/{other_id}"
    asked = await world["portal"].post(
        other + "/decision",
        data={
            "decision": "request_information",
            "reason": "When did you complete the training?",
            "csrf_token": csrf_of(page),
        },
    )
    assert asked.status_code == 303
    read = await world["accreditation"].get(
        f"/v1/applications/{other_id}", headers=researcher(world, "res-bob", "bob")
    )
    assert read.json()["status"] == "information_requested"
    assert read.json()["information_requested"] == "When did you complete the training?"
    again = await world["portal"].post(
        other + "/decision",
        data={"decision": "reject", "reason": "No evidence.", "csrf_token": csrf_of(page)},
    )
    assert again.status_code == 409  # not awaiting a decision: the API's reason, shown
    assert "There is a problem" in again.text


async def test_the_panel_reviews_prioritises_and_approves_a_project_with_conditions(world, deliver):
    project_id = await project_application(world, deliver, "Burglary security effectiveness")
    await as_user(world, "panel")
    url = f"/panel/projects/{project_id}"
    page = await world["portal"].get(url)
    assert page.status_code == 200
    text = page.text
    assert "Crime Survey for England and Wales 2019" in text
    assert "Annual Survey of Hours and Earnings 2021" in text
    # The strictest dataset sets the project's settings: office, not home.
    assert "Safe setting or office" in text[text.index('id="project-rules"') :]
    assert "Digital Economy Act 2017" in text
    assert "applicant has accepted the charge" in text
    assert "Current accreditation" in text  # the lead, accredited
    assert 'id="record-decision"' not in text  # the review must start first
    review = await world["portal"].post(url + "/review", data={"csrf_token": csrf_of(page)})
    assert review.status_code == 303
    page = await world["portal"].get(url)
    assert 'id="record-decision"' in page.text
    no_reason = await world["portal"].post(
        url + "/priority", data={"priority": "yes", "csrf_token": csrf_of(page)}
    )
    assert no_reason.status_code == 422
    assert "Enter the reason for the priority decision" in no_reason.text
    prioritised = await world["portal"].post(
        url + "/priority",
        data={
            "priority": "yes",
            "priority_reason": "Informs the winter crime prevention campaign.",
            "csrf_token": csrf_of(page),
        },
    )
    assert prioritised.status_code == 303
    no_choice = await world["portal"].post(
        url + "/decision", data={"reason": "Fine.", "csrf_token": csrf_of(page)}
    )
    assert no_choice.status_code == 422
    assert "Choose approve, reject or request information" in no_choice.text
    approved = await world["portal"].post(
        url + "/decision",
        data={
            "decision": "approve",
            "reason": "Clear public benefit; datasets proportionate.",
            "conditions": "Publish the code with the final report.",
            "csrf_token": csrf_of(page),
        },
    )
    assert approved.status_code == 303
    project = (
        await world["projects"].get(f"/v1/projects/{project_id}", headers=researcher(world))
    ).json()
    assert project["status"] == "approved" and project["priority"] is True
    assert project["conditions"] == "Publish the code with the final report."
    decisions = (await world["portal"].get(url)).text
    decisions = decisions[decisions.index("Publish the code") :]
    assert "Priya Shah" in decisions  # the decision's maker, by name, not by login
    # The lead sees the conditions on her own project page.
    await as_user(world, "alice")
    mine = await world["portal"].get(f"/projects/{project_id}")
    assert "Publish the code with the final report." in mine.text


async def test_the_panel_rejects_a_project_with_its_reasons(world, deliver):
    project_id = await project_application(world, deliver, "Wages by region", linkage=None)
    await as_user(world, "panel")
    url = f"/panel/projects/{project_id}"
    page = await world["portal"].get(url)
    assert "No linkage of identifiable data is requested." in page.text
    await world["portal"].post(url + "/review", data={"csrf_token": csrf_of(page)})
    rejected = await world["portal"].post(
        url + "/decision",
        data={
            "decision": "reject",
            "reason": "No public benefit shown.",
            "csrf_token": csrf_of(page),
        },
    )
    assert rejected.status_code == 303
    page = await world["portal"].get(url)
    assert "Rejected" in page.text and "No public benefit shown." in page.text


async def test_a_missing_application_or_project_is_404_not_500(world):
    await as_user(world, "panel")
    for path in ("/panel/accreditation-applications/app_nope", "/panel/projects/prj_nope"):
        missing = await world["portal"].get(path)
        assert missing.status_code == 404, path


async def test_only_the_panel_opens_its_workspace(world, deliver):
    application_id = await accreditation_application(
        world, "res-bob", "Bob Example", "bob", statement="Secret statement of Bob"
    )
    project_id = await project_application(world, deliver, "Secret burglary study")
    decision = {"decision": "approve", "reason": "Meets the criteria."}
    await assert_only(
        world,
        "panel",
        pages=[
            "/panel",
            f"/panel/accreditation-applications/{application_id}",
            f"/panel/projects/{project_id}",
        ],
        posts=[
            (f"/panel/accreditation-applications/{application_id}/decision", decision),
            (f"/panel/projects/{project_id}/review", {}),
            (f"/panel/projects/{project_id}/decision", decision),
            (
                f"/panel/projects/{project_id}/priority",
                {"priority": "yes", "priority_reason": "x" * 5},
            ),
        ],
        secrets=["Secret statement of Bob", "Secret burglary study"],
    )
    # Nothing was decided by any of them.
    read = await world["accreditation"].get(
        f"/v1/applications/{application_id}", headers=researcher(world, "res-bob", "bob")
    )
    assert read.json()["status"] == "submitted"


def test_decision_times_count_the_last_90_days_median_and_90th_percentile():
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)

    def decided(days_ago: float, took: float) -> tuple[str, str]:
        end = now - dt.timedelta(days=days_ago)
        return (end - dt.timedelta(days=took)).isoformat(), end.isoformat()

    pairs = [decided(1, t) for t in (1, 3, 10, 40, 100)]
    pairs += [decided(120, 2), (None, None), decided(5, -1)]  # too old, undecided, nonsense
    figure = summarise(pairs, now)
    assert figure["count"] == 5
    assert figure["median"] == 10 and figure["p90"] == 100
    assert [bar["count"] for bar in figure["bars"]] == [2, 1, 0, 1, 1]
    assert summarise([], now)["median"] is None


async def test_a_provisional_application_shows_the_supervisors_standing(world):
    alice_application = await accreditation_application(
        world, "res-alice", "Alice Example", "alice"
    )
    panel = world["tokens"].headers("panel", sub="panel-1")
    granted = await world["accreditation"].post(
        f"/v1/applications/{alice_application}/approve", headers=panel, json={"reason": "Fine."}
    )
    assert granted.status_code == 200, granted.text
    await profile(world, "res-bob", "Bob Example", "bob")
    bob = researcher(world, "res-bob", "bob")
    trained = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    drafted = await world["accreditation"].post(
        "/v1/applications",
        headers=bob,
        json={
            "kind": "provisional",
            "supervisor_id": "res-alice",
            "training_completed_on": trained,
        },
    )
    application_id = drafted.json()["id"]
    submitted = await world["accreditation"].post(
        f"/v1/applications/{application_id}/submit", headers=bob
    )
    assert submitted.status_code == 200, submitted.text
    await as_user(world, "panel")
    page = await world["portal"].get(f"/panel/accreditation-applications/{application_id}")
    assert "Provisional accredited researcher" in page.text
    assert "A named supervisor who is not the applicant" in page.text
    supervisor = page.text[page.text.index('id="supervisor"') :][:2000]
    assert "Alice Example" in supervisor and "full" in supervisor.lower()
