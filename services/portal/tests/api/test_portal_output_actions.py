"""What a researcher does with an output request in the portal, against the real
clearance and projects services: create it, upload files with their context and
controls, submit, answer a checker, download a cleared file and attest destruction."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import projects

from ..conftest import sign_in
from .test_portal_outputs import FAILING_CSV, output_of_alice
from .test_portal_projects import csrf_of

NOW = dt.datetime.now(dt.UTC)
PASSING_CSV = b"region,year,count\nNorth,2021,12\nSouth,2021,30\n"


async def test_a_researcher_creates_uploads_and_submits_an_output(world, deliver):
    # Alice's active project (her submitted request is set up by the same helper).
    project_id, _ = await output_of_alice(world, deliver)
    await sign_in(world)
    portal = world["portal"]
    form = await portal.get(f"/projects/{project_id}/outputs/new")
    assert form.status_code == 200
    assert "Burglary security effectiveness" in form.text  # the project's name, not its id
    csrf = csrf_of(form)
    refused = await portal.post(
        f"/projects/{project_id}/outputs/new", data={"title": "Rates", "kind": "publication"}
    )
    assert refused.status_code == 403
    bad = await portal.post(
        f"/projects/{project_id}/outputs/new", data={"title": "R", "csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert "There is a problem" in bad.text and 'href="#title"' in bad.text
    assert "Choose the kind of output" in bad.text
    created = await portal.post(
        f"/projects/{project_id}/outputs/new",
        data={"title": "Rates by region", "kind": "pre_publication", "csrf_token": csrf},
    )
    assert created.status_code == 303, created.text
    page_path = created.headers["location"]
    output_id = page_path.rsplit("/", 1)[-1]
    page = await portal.get(page_path)
    assert '<h1 class="govuk-heading-l">Rates by region</h1>' in page.text
    assert "Upload at least one file before you submit" in page.text
    group = {"group_name": "Table 1", "context": "Burglary victims by region", "controls": "none"}
    # Without a file, and with too short a context: both said, next to their fields.
    missing = await portal.post(
        f"/outputs/{output_id}/files",
        data={**group, "context": "short", "csrf_token": csrf},
    )
    assert missing.status_code == 422
    assert "Choose at least one file to upload" in missing.text
    assert "Say what the output shows" in missing.text
    # A file type the clearance service refuses: its reason, in the summary.
    wrong = await portal.post(
        f"/outputs/{output_id}/files",
        data={**group, "csrf_token": csrf},
        files={"files": ("run.exe", b"MZ\x00", "application/octet-stream")},
    )
    assert wrong.status_code == 422 and "is not allowed" in wrong.text
    uploaded = await portal.post(
        f"/outputs/{output_id}/files",
        data={**group, "csrf_token": csrf},
        files={"files": ("table1.csv", FAILING_CSV, "text/csv")},
    )
    assert uploaded.status_code == 303, uploaded.text
    page = await portal.get(f"/outputs/{output_id}")
    assert "table1.csv" in page.text and "Disclosure controls: none" in page.text
    submitted = await portal.post(f"/outputs/{output_id}/submit", data={"csrf_token": csrf})
    assert submitted.status_code == 303, submitted.text
    page = await portal.get(f"/outputs/{output_id}")
    table = page.text[page.text.index('id="check-table1-csv"') :]
    assert '<strong class="govuk-tag govuk-tag--red" data-cell="fail">3</strong>' in table
    assert 'id="upload"' not in page.text  # submitted: no more files
    again = await portal.post(f"/outputs/{output_id}/submit", data={"csrf_token": csrf})
    assert again.status_code == 422 and "There is a problem" in again.text


async def test_a_researcher_answers_the_checkers_question_in_the_thread(world, deliver):
    _, output_id = await output_of_alice(world, deliver)
    clearance, tokens = world["clearance"], world["tokens"]
    checker = tokens.headers("checker", sub="chk-1")
    assert (
        await clearance.post(f"/v1/outputs/{output_id}/review", headers=checker)
    ).status_code == 200
    asked = await clearance.post(
        f"/v1/outputs/{output_id}/clarification",
        headers=checker,
        json={"text": "Why is the South count shown unrounded?"},
    )
    assert asked.status_code == 200, asked.text
    await sign_in(world)
    portal = world["portal"]
    dashboard = await portal.get("/dashboard")
    banner = dashboard.text[dashboard.text.index('id="attention"') :]
    assert "A checker has asked you a question" in banner
    assert f'href="/outputs/{output_id}"' in banner and "Burglary by region" in banner
    page = await portal.get(f"/outputs/{output_id}")
    thread = page.text[page.text.index('id="thread"') :]
    assert "Output checker" in thread and "Why is the South count shown unrounded?" in thread
    csrf = csrf_of(page)
    empty = await portal.post(
        f"/outputs/{output_id}/clarification", data={"answer": "", "csrf_token": csrf}
    )
    assert empty.status_code == 422
    assert 'href="#answer"' in empty.text and "Enter your answer" in empty.text
    answered = await portal.post(
        f"/outputs/{output_id}/clarification",
        data={"answer": "It is suppressed in the paper.", "csrf_token": csrf},
    )
    assert answered.status_code == 303, answered.text
    page = await portal.get(f"/outputs/{output_id}")
    thread = page.text[page.text.index('id="thread"') :]
    assert thread.index("Why is the South") < thread.index("It is suppressed in the paper.")
    assert 'id="send-answer"' not in page.text  # the checker has the answer
    status = await clearance.get(f"/v1/outputs/{output_id}", headers=checker)
    assert status.json()["status"] == "in_review"
    dashboard = await portal.get("/dashboard")
    assert "A checker has asked you a question" not in dashboard.text


async def _approved(world, deliver) -> tuple[str, str]:
    project_id, output_id = await output_of_alice(
        world, deliver, files=(("table1.csv", PASSING_CSV),)
    )
    clearance, tokens = world["clearance"], world["tokens"]
    first, second = tokens.headers("checker", sub="chk-1"), tokens.headers("checker", sub="chk-2")
    assert (
        await clearance.post(f"/v1/outputs/{output_id}/review", headers=first)
    ).status_code == 200
    for checker in (first, second):
        voted = await clearance.post(
            f"/v1/outputs/{output_id}/votes",
            headers=checker,
            json={"vote": "approve", "reason": "every count at or above 10"},
        )
        assert voted.status_code == 201, voted.text
    decided = await clearance.post(
        f"/v1/outputs/{output_id}/decision",
        headers=first,
        json={"decision": "approve", "reason": "safe"},
    )
    assert decided.status_code == 200, decided.text
    return project_id, output_id


async def test_a_cleared_file_is_downloaded_and_its_destruction_attested(world, deliver):
    project_id, output_id = await _approved(world, deliver)
    await sign_in(world)
    portal = world["portal"]
    page = await portal.get(f"/outputs/{output_id}")
    file_id = world_file_id(page.text)
    downloaded = await portal.get(f"/outputs/{output_id}/files/{file_id}")
    assert downloaded.status_code == 200 and downloaded.content == PASSING_CSV
    assert "table1.csv" in downloaded.headers["content-disposition"]
    assert downloaded.headers["cache-control"] == "no-store"
    # The project completes: the pre-publication output must be destroyed by a deadline.
    await deliver(
        world["clearance"],
        projects.ProjectCompleted(
            project_id=project_id,
            organisation_id="org-ntu",
            lead_researcher_id="res-alice",
            member_ids=["res-alice"],
            occurred_at=NOW,
        ),
        subject=project_id,
    )
    dashboard = await portal.get("/dashboard")
    banner = dashboard.text[dashboard.text.index('id="attention"') :]
    assert "Destroy a pre-publication output" in banner
    assert f'href="/outputs/{output_id}#destruction"' in banner
    page = await portal.get(f"/outputs/{output_id}")
    deadline = page.text[page.text.index('id="destruction"') :]
    assert "Destroy every copy of this pre-publication output after use, by " in deadline
    csrf = csrf_of(page)
    short = await portal.post(
        f"/outputs/{output_id}/destruction", data={"statement": "gone", "csrf_token": csrf}
    )
    assert short.status_code == 422 and 'href="#statement"' in short.text
    done = await portal.post(
        f"/outputs/{output_id}/destruction",
        data={"statement": "Deleted every copy from my laptop today.", "csrf_token": csrf},
    )
    assert done.status_code == 303, done.text
    page = await portal.get(f"/outputs/{output_id}")
    assert "You have confirmed that every copy was destroyed." in page.text
    assert "Destroy a pre-publication output" not in (await portal.get("/dashboard")).text


def world_file_id(page: str) -> str:
    marker = "/files/"
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


async def test_another_researcher_can_neither_see_nor_change_the_output(world, deliver):
    project_id, output_id = await _approved(world, deliver)
    alice = world["tokens"].headers(
        "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
    )
    output = (await world["clearance"].get(f"/v1/outputs/{output_id}", headers=alice)).json()
    file_id = output["groups"][0]["files"][0]["id"]
    await sign_in(world, username="bob", password="bob-demo")
    portal = world["portal"]
    form = await portal.get("/dashboard")
    csrf = csrf_of(form)
    for path in (
        f"/projects/{project_id}/outputs/new",
        f"/outputs/{output_id}/files/{file_id}",
    ):
        response = await portal.get(path)
        assert response.status_code == 404, path
        assert "Burglary" not in response.text and "North" not in response.text
    for path, data in (
        (f"/projects/{project_id}/outputs/new", {"title": "Mine now", "kind": "publication"}),
        (f"/outputs/{output_id}/clarification", {"answer": "Not my request"}),
        (f"/outputs/{output_id}/destruction", {"statement": "Not my request at all"}),
        (f"/outputs/{output_id}/submit", {}),
        (
            f"/outputs/{output_id}/files",
            {"group_name": "T", "context": "Mine, all mine", "controls": "none"},
        ),
    ):
        response = await portal.post(path, data={**data, "csrf_token": csrf})
        assert response.status_code == 404, (path, response.status_code)
        assert "Burglary" not in response.text


async def test_a_checkers_shared_comment_on_a_file_shows_beside_it_a_private_one_never(
    world, deliver
):
    _, output_id = await output_of_alice(world, deliver)
    clearance = world["clearance"]
    checker = world["tokens"].headers("checker", sub="chk-1")
    output = (await clearance.get(f"/v1/outputs/{output_id}", headers=checker)).json()
    file_id = output["groups"][0]["files"][0]["id"]
    for visibility, body in (
        ("shared", "Round the South count to base 5 or suppress it."),
        ("private", "Second reviewer: look at the South row first."),
    ):
        posted = await clearance.post(
            f"/v1/outputs/{output_id}/comments",
            headers=checker,
            json={"body": body, "visibility": visibility, "file_id": file_id},
        )
        assert posted.status_code == 201, posted.text
    await sign_in(world)
    page = await world["portal"].get(f"/outputs/{output_id}")
    shown = page.text[page.text.index("table1.csv:") :]
    assert "Output checker on table1.csv: Round the South count to base 5" in shown
    assert "Second reviewer" not in page.text
