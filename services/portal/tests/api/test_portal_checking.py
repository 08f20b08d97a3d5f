"""The output checkers' workspace in the portal, against the real clearance, projects and
access services: the queue ordered by deadline with each request's clock and reviewers, a
request's page (failing cells, code findings on their lines), blind votes, the
consolidating decision, the clarification thread, and who may not open any of it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from srs_access.models import User
from srs_access.oidc.models import AccountProfile
from srs_access.passwords import hash_password_async

from ..conftest import sign_in
from .test_portal_outputs import FAILING_CSV, output_of_alice

MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)  # a week with no bank holiday
CODE = b"# Burglary counts by region\ndf <- read.csv('burglary.csv')\nprint(df[df$id == 1, ])\n"
SECRET_REASON = "the South cell shows three victims"


@dataclass
class Clock:
    now: dt.datetime

    def __call__(self) -> dt.datetime:
        return self.now


async def add_user(
    world,
    username: str,
    roles: list[str],
    researcher_id: str | None = None,
    name: str | None = None,
):
    """A login at the access service, made as its seed makes the demo ones (with the
    person's name when given, as the demo staff have)."""
    async with world["access"].runtime.db.transaction() as session:
        session.add(
            User(
                username=username,
                roles=roles,
                researcher_id=researcher_id,
                organisation_id="org-ntu" if researcher_id else None,
                password_hash=await hash_password_async(f"{username}-demo"),
            )
        )
        if name:
            session.add(
                AccountProfile(username=username, name=name, email=f"{username}@srs.example")
            )


def alice(world) -> dict[str, str]:
    return world["tokens"].headers("researcher", sub="alice", researcher_id="res-alice")


def as_checker(world, sub: str = "checker") -> dict[str, str]:
    return world["tokens"].headers("checker", sub=sub)


async def another_output(world, project_id: str, title: str) -> str:
    """A second submitted request of Alice's in the same project."""
    clearance = world["clearance"]
    created = await clearance.post(
        "/v1/outputs",
        headers=alice(world),
        json={"project_id": project_id, "kind": "pre_publication", "title": title},
    )
    output_id = created.json()["id"]
    group = await clearance.post(
        f"/v1/outputs/{output_id}/groups",
        headers=alice(world),
        json={"name": "Table 2", "context": "Burglary victims by region", "controls": "none"},
    )
    await clearance.post(
        f"/v1/outputs/{output_id}/groups/{group.json()['id']}/files",
        headers=alice(world),
        files={"file": ("table2.csv", FAILING_CSV)},
    )
    submitted = await clearance.post(f"/v1/outputs/{output_id}/submit", headers=alice(world))
    assert submitted.status_code == 200, submitted.text
    return output_id


async def in_review(world, deliver, clock: Clock | None = None) -> str:
    """Alice's request (a failing table and an R file), taken into review by the demo
    checker over the API."""
    world["clearance"].app.state.clock = clock or Clock(MONDAY)
    _, output_id = await output_of_alice(
        world, deliver, files=(("table1.csv", FAILING_CSV), ("analysis.R", CODE))
    )
    taken = await world["clearance"].post(
        f"/v1/outputs/{output_id}/review", headers=as_checker(world)
    )
    assert taken.status_code == 200, taken.text
    return output_id


def form_token(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def file_id_of(page, filename: str) -> str:
    return re.search(
        rf'id="file-(fil_[^"]+)">\s*<h3 class="govuk-heading-s">{filename}', page.text
    )[1]


async def test_signed_out_visitors_are_sent_to_sign_in(world):
    for path in ("/checking", "/checking/outputs/out_x"):
        response = await world["portal"].get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/sign-in?next=%2Fchecking")


async def test_researchers_and_other_staff_get_a_refusal_and_no_data(world, deliver):
    output_id = await in_review(world, deliver)
    for username in ("alice", "bob", "panel", "support", "ops", "owner"):
        await sign_in(world, username=username, password=f"{username}-demo")
        token = form_token(await world["portal"].get("/dashboard"))
        for path in ("/checking", f"/checking/outputs/{output_id}"):
            response = await world["portal"].get(path)
            assert response.status_code == 403, (username, path)
            assert "Burglary" not in response.text and output_id not in response.text
        voted = await world["portal"].post(
            f"/checking/outputs/{output_id}/votes",
            data={"csrf_token": token, "vote": "approve", "reason": "fine by me"},
        )
        assert voted.status_code == 403, username
        files = await world["portal"].get(f"/checking/outputs/{output_id}/files/fil_x")
        assert files.status_code == 403
    votes = await world["clearance"].get(
        f"/v1/outputs/{output_id}/votes", headers=as_checker(world)
    )
    assert votes.json()["received"] == 0


async def test_a_checker_never_reviews_their_own_request(world, deliver):
    output_id = await in_review(world, deliver)
    await add_user(world, "alicechk", ["researcher", "checker"], researcher_id="res-alice")
    await sign_in(world, username="alicechk", password="alicechk-demo")
    queue = await world["portal"].get("/checking")
    assert queue.status_code == 200
    assert f'href="/checking/outputs/{output_id}"' not in queue.text
    assert "Your own request" in queue.text
    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert page.status_code == 403
    assert "You cannot review your own request" in page.text and "South" not in page.text
    token = form_token(await world["portal"].get("/dashboard"))
    voted = await world["portal"].post(
        f"/checking/outputs/{output_id}/votes",
        data={"csrf_token": token, "vote": "approve", "reason": "my own work is fine"},
    )
    assert voted.status_code == 403
    votes = await world["clearance"].get(
        f"/v1/outputs/{output_id}/votes", headers=as_checker(world)
    )
    assert votes.json()["received"] == 0


async def test_forms_without_the_csrf_token_are_refused(world, deliver):
    output_id = await in_review(world, deliver)
    await sign_in(world, username="checker", password="checker-demo")
    for action, data in (
        ("votes", {"vote": "approve", "reason": "fine"}),
        ("comments", {"comment": "hello", "visibility": "shared"}),
        ("clarification", {"question": "Is it rounded?"}),
        ("decision", {"decision": "approve", "decision_reason": "fine"}),
        ("review", {}),
    ):
        response = await world["portal"].post(f"/checking/outputs/{output_id}/{action}", data=data)
        assert response.status_code == 403, action
    comments = await world["clearance"].get(
        f"/v1/outputs/{output_id}/comments", headers=as_checker(world)
    )
    assert comments.json() == []


async def test_the_queue_orders_by_deadline_with_each_clock_and_the_picture(world, deliver):
    clock = Clock(MONDAY)
    first = await in_review(world, deliver, clock)  # due next Monday 10:00
    project_id = (
        await world["clearance"].get(f"/v1/outputs/{first}", headers=as_checker(world))
    ).json()["project_id"]
    clock.now = MONDAY + dt.timedelta(days=2)  # Wednesday
    latest = await another_output(world, project_id, "Burglary by year")  # due next Wednesday
    clock.now = MONDAY + dt.timedelta(days=1)  # Tuesday
    paused = await another_output(world, project_id, "Burglary by age")  # due next Tuesday
    await world["clearance"].post(f"/v1/outputs/{paused}/review", headers=as_checker(world))
    clock.now = MONDAY + dt.timedelta(days=2, hours=1)  # Wednesday 11:00
    asked = await world["clearance"].post(
        f"/v1/outputs/{paused}/clarification",
        headers=as_checker(world),
        json={"text": "Is the South cell rounded?"},
    )
    assert asked.status_code == 200
    vote = await world["clearance"].post(
        f"/v1/outputs/{first}/votes",
        headers=as_checker(world, "checker2"),
        json={"vote": "reject", "reason": SECRET_REASON},
    )
    assert vote.status_code == 201
    await add_user(world, "checker2", ["checker"], name="Mei Chen")
    clock.now = MONDAY + dt.timedelta(days=7, hours=-1)  # next Monday 09:00
    await sign_in(world, username="checker", password="checker-demo")
    page = await world["portal"].get("/checking")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    rows = re.findall(r'data-output="([^"]+)" data-clock="([^"]+)"', page.text)
    assert rows == [(first, "due_today"), (paused, "paused"), (latest, "on_track")]
    assert "Due today" in page.text
    assert "30 November 2026, 10:00" in page.text  # the first request's deadline
    # Paused at Wednesday 11:00 with 3 days 23 hours of working time left.
    assert "Paused, awaiting the researcher: 4 working days left" in page.text
    assert "2 working days left" in page.text  # Monday 09:00 to Wednesday 10:00
    # Who has reviewed, never how.
    reviewers = page.text[page.text.index(f'data-output="{first}"') :]
    reviewers = reviewers[reviewers.index("data-reviewers") : reviewers.index("</tr>")]
    # Named as the staff directory names them, never by login.
    assert "Mei Chen" in reviewers and "(1 of 2 reviews)" in reviewers
    assert "checker2" not in reviewers
    assert SECRET_REASON not in page.text and "Reject" not in page.text
    for state, count in (("due-today", 1), ("paused", 1), ("on-track", 1), ("overdue", 0)):
        card = page.text[page.text.index(f'id="sla-{state}"') :]
        assert f'data-count="{count}"' in card[: card.index("</div>")], state
    assert 'class="srs-bar srs-bar--orange srs-bar--w35"' in page.text  # a third of the queue
    clock.now = MONDAY + dt.timedelta(days=8, hours=2)  # Tuesday 12:00
    page = await world["portal"].get("/checking")
    assert f'data-output="{first}" data-clock="overdue"' in page.text
    assert "Overdue by 1.1 working days" in page.text


async def test_the_request_page_shows_the_failing_cells_and_the_code_findings(world, deliver):
    output_id = await in_review(world, deliver)
    await sign_in(world, username="checker", password="checker-demo", next_path="/checking")
    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert page.status_code == 200, page.text
    assert "Burglary victims by region and year" in page.text  # the group's context
    table = page.text[page.text.index('id="check-table1-csv"') :]
    table = table[: table.index("</table>")]
    assert "data-sortable" in table
    assert "30 November 2026, 10:00" in page.text  # due: five working days from Monday
    assert '<strong class="govuk-tag govuk-tag--red" data-cell="fail">3</strong>' in table
    assert "Too few contributors: the count is below the minimum (threshold) rule" in table
    assert '<td class="govuk-table__cell">12</td>' in table
    code = page.text[page.text.index('id="code-analysis-R"') :]
    code = code[: code.index("</table>")]
    line = code[code.index('-line-3"') :]
    line = line[: line.index("</tr>")]
    assert 'data-finding="fail"' in line and "print(df[df$id == 1, ])" in line
    assert "selects a single entity" in line
    assert 'data-finding="fail"' not in code[: code.index('-line-3"')]
    assert '<script type="module" src="/assets/checking.js"></script>' in page.text
    assert "<script>" not in page.text.split("</header>")[-1]  # no inline script of ours
    code_file = file_id_of(page, "analysis.R")
    download = await world["portal"].get(f"/checking/outputs/{output_id}/files/{code_file}")
    assert download.status_code == 200 and download.content == CODE
    assert 'filename="analysis.R"' in download.headers["content-disposition"]
    trail = await world["clearance"].get(
        f"/v1/outputs/{output_id}/audit", headers=as_checker(world)
    )
    assert [e["action"] for e in trail.json()["entries"]][-1] == "downloaded"
    missing = await world["portal"].get("/checking/outputs/out_nope")
    assert missing.status_code == 404


async def test_blind_votes_then_the_consolidating_decision(world, deliver):
    output_id = await in_review(world, deliver)
    await add_user(world, "checker2", ["checker"])
    await sign_in(world, username="checker", password="checker-demo")
    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    table_file = file_id_of(page, "table1.csv")
    incomplete = await world["portal"].post(
        f"/checking/outputs/{output_id}/votes", data={"csrf_token": form_token(page)}
    )
    assert incomplete.status_code == 422
    assert "govuk-error-summary" in incomplete.text
    assert "Choose whether you approve or reject the request" in incomplete.text
    voted = await world["portal"].post(
        f"/checking/outputs/{output_id}/votes",
        data={
            "csrf_token": form_token(page),
            "vote": "reject",
            "reason": SECRET_REASON,
            f"file-{table_file}": "changes",
        },
    )
    assert voted.status_code == 303
    mine = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert 'id="my-vote" data-vote="reject"' in mine.text and SECRET_REASON in mine.text
    assert 'data-my-verdict="changes"' in mine.text and 'id="review-form"' not in mine.text

    # The second checker sees no vote, reason, verdict or tally before their own.
    await sign_in(world, username="checker2", password="checker2-demo")
    blind = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert blind.status_code == 200
    assert SECRET_REASON not in blind.text and "data-vote" not in blind.text
    assert "data-verdict" not in blind.text and "Needs changes</strong>" not in blind.text
    assert 'id="blind-notice"' in blind.text and 'id="review-form"' in blind.text
    assert 'id="decision-form"' not in blind.text
    voted = await world["portal"].post(
        f"/checking/outputs/{output_id}/votes",
        data={"csrf_token": form_token(blind), "vote": "reject", "reason": "dominance too"},
    )
    assert voted.status_code == 303
    both = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert SECRET_REASON in both.text and 'data-verdict="changes"' in both.text
    assert both.text.count('<tr class="govuk-table__row" data-vote="reject">') == 2
    assert 'id="override_reason"' in both.text  # every review rejected

    # Approving what both rejected needs the override reason the API asks for.
    bare = await world["portal"].post(
        f"/checking/outputs/{output_id}/decision",
        data={
            "csrf_token": form_token(both),
            "decision": "approve",
            "decision_reason": "looks fine",
        },
    )
    assert bare.status_code == 422 and "govuk-error-summary" in bare.text
    assert 'href="#override_reason"' in bare.text
    assert "every independent review rejected" in bare.text
    decided = await world["portal"].post(
        f"/checking/outputs/{output_id}/decision",
        data={
            "csrf_token": form_token(both),
            "decision": "approve",
            "decision_reason": "Cleared after consolidation",
            "override_reason": "ONS already publishes the South cell at this level.",
        },
    )
    assert decided.status_code == 303
    final = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert 'id="decided"' in final.text and "Approved: Cleared after consolidation" in final.text
    read = await world["clearance"].get(f"/v1/outputs/{output_id}", headers=alice(world))
    assert read.json()["status"] == "approved"


async def test_clarification_and_comments_in_one_thread(world, deliver):
    output_id = await in_review(world, deliver)
    await sign_in(world, username="checker", password="checker-demo")
    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    table_file = file_id_of(page, "table1.csv")
    token = form_token(page)
    asked = await world["portal"].post(
        f"/checking/outputs/{output_id}/clarification",
        data={"csrf_token": token, "question": "Is the South cell rounded?"},
    )
    assert asked.status_code == 303
    private = await world["portal"].post(
        f"/checking/outputs/{output_id}/comments",
        data={
            "csrf_token": token,
            "comment": "South is below 10",
            "visibility": "private",
            "file_id": table_file,
        },
    )
    assert private.status_code == 303
    empty = await world["portal"].post(
        f"/checking/outputs/{output_id}/comments",
        data={"csrf_token": token, "comment": " ", "visibility": "shared"},
    )
    assert empty.status_code == 422 and 'href="#comment"' in empty.text
    paused = await world["portal"].get(f"/checking/outputs/{output_id}")
    assert 'id="awaiting-answer"' in paused.text
    world["clearance"].app.state.clock = Clock(MONDAY + dt.timedelta(hours=1))
    answered = await world["clearance"].post(
        f"/v1/outputs/{output_id}/clarification/response",
        headers=alice(world),
        json={"text": "No: the counts are exact."},
    )
    assert answered.status_code == 200
    page = await world["portal"].get(f"/checking/outputs/{output_id}")
    thread = page.text[page.text.index('id="thread"') :]
    thread = thread[: thread.index("</ol>")]
    assert thread.index("Is the South cell rounded?") < thread.index("No: the counts are exact.")
    assert "Question from You" in thread and "Answer from the researcher" in thread
    on_file = page.text[page.text.index(f'data-file-comments="{table_file}"') :]
    assert "South is below 10" in on_file[: on_file.index("</ul>")]
    assert "checkers only" in on_file[: on_file.index("</ul>")]
    shared = await world["clearance"].get(f"/v1/outputs/{output_id}/comments", headers=alice(world))
    assert "South is below 10" not in shared.text  # private to checkers
