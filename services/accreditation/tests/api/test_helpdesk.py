"""The Research Support Helpdesk: a researcher asks, the right team answers in one thread,
internal notes stay with staff, the queue is ordered by the expected answer time in the
helpdesk's hours, and nobody sees another's requests or another team's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")
# Friday 4 December 2026, 16:30 in London: half an hour before the helpdesk closes.
FRIDAY_LATE = dt.datetime(2026, 12, 4, 16, 30, tzinfo=LONDON)


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at.astimezone(dt.UTC)


@pytest.fixture
def clock(client) -> Clock:
    clock = Clock(FRIDAY_LATE)
    client.app.state.clock = clock
    return clock


@pytest.fixture
def checker(tokens) -> dict[str, str]:
    return tokens.headers("checker", sub="checker-1")


async def ask(client, flow, rid: str, **fields) -> dict:
    body = {"subject": "Help", "message": "Please help.", "category": "general", **fields}
    response = await client.post("/v1/helpdesk/requests", json=body, headers=flow.researcher(rid))
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_researcher_asks_and_support_answers_in_one_thread(client, flow, clock, events):
    await flow.register("res-alice", name="Alice Example")
    opened = await ask(
        client,
        flow,
        "res-alice",
        subject="Cannot book a terminal",
        message="The booking page refuses my project.",
        category="booking",
        reference={"kind": "booking", "id": "bkg_1", "label": "Titchfield, 1 July"},
    )
    assert opened["status"] == "open" and opened["team"] == "support"
    assert opened["researcher_name"] == "Alice Example"
    assert opened["reference"] == {"kind": "booking", "id": "bkg_1", "label": "Titchfield, 1 July"}
    # One working day of helpdesk hours: half an hour on Friday, the rest on Monday.
    expected = dt.datetime(2026, 12, 7, 16, 30, tzinfo=LONDON)
    assert dt.datetime.fromisoformat(opened["expected_answer_by"]) == expected
    assert [m["body"] for m in opened["messages"]] == ["The booking page refuses my project."]
    [event] = await events("srs.helpdesk.request_opened.v1")
    assert event["key"] == opened["id"] and event["team"] == "support"

    # In the support queue; a staff reply waits for the researcher.
    clock.at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)
    queue = await client.get("/v1/helpdesk/queue", headers=flow.support)
    assert [r["id"] for r in queue.json()["items"]] == [opened["id"]]
    replied = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/replies",
        json={"body": "Which project is it?"},
        headers=flow.support,
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["status"] == "awaiting_researcher"
    assert replied.json()["expected_answer_by"] is None
    assert (await client.get("/v1/helpdesk/queue", headers=flow.support)).json()["items"] == []
    assert await events("srs.helpdesk.staff_replied.v1")

    # The researcher's reply waits for staff again, due one working day later.
    clock.at = dt.datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
    answered = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/replies",
        json={"body": "Burglary security effectiveness."},
        headers=flow.researcher("res-alice"),
    )
    assert answered.json()["status"] == "open"
    assert dt.datetime.fromisoformat(answered.json()["expected_answer_by"]) == dt.datetime(
        2026, 12, 8, 10, 0, tzinfo=LONDON
    )
    [researcher_reply] = await events("srs.helpdesk.researcher_replied.v1")
    assert researcher_reply["researcher_id"] == "res-alice"
    assert [(m["author"], m["body"]) for m in answered.json()["messages"]] == [
        ("researcher", "The booking page refuses my project."),
        ("staff", "Which project is it?"),
        ("researcher", "Burglary security effectiveness."),
    ]


async def test_resolution_is_recorded_and_the_researchers_reply_reopens(
    client, flow, clock, events
):
    await flow.register("res-alice")
    opened = await ask(client, flow, "res-alice")
    resolved = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/resolve",
        json={"message": "Done: the project is active."},
        headers=flow.support,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"] == "support-1"
    assert resolved.json()["messages"][-1]["body"] == "Done: the project is active."
    [entry] = (await client.get("/v1/audit/accreditation", headers=flow.support)).json()["items"]
    assert (entry["action"], entry["actor"], entry["subject_id"]) == (
        "helpdesk.resolve",
        "support-1",
        opened["id"],
    )
    assert await events("srs.helpdesk.request_resolved.v1")
    again = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/resolve", json={}, headers=flow.support
    )
    assert again.status_code == 409 and again.json()["current_state"] == "resolved"

    reopened = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/replies",
        json={"body": "It still fails."},
        headers=flow.researcher("res-alice"),
    )
    assert reopened.json()["status"] == "open" and reopened.json()["resolved_by"] is None

    closed = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/close",
        json={"reason": "Found it in the guide."},
        headers=flow.researcher("res-alice"),
    )
    assert closed.json()["status"] == "closed"
    late = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/replies",
        json={"body": "One more thing"},
        headers=flow.support,
    )
    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"


async def test_internal_notes_are_never_shown_to_the_researcher(client, flow, clock, events):
    await flow.register("res-alice")
    opened = await ask(client, flow, "res-alice")
    noted = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/notes",
        json={"body": "Known issue with the booking read model."},
        headers=flow.support,
    )
    assert noted.status_code == 200, noted.text
    assert noted.json()["status"] == "open"
    assert [m["internal"] for m in noted.json()["messages"]] == [False, True]
    own = await client.get(
        f"/v1/helpdesk/requests/{opened['id']}", headers=flow.researcher("res-alice")
    )
    assert "Known issue" not in own.text
    assert [m["internal"] for m in own.json()["messages"]] == [False]
    # A researcher cannot write one, and a note tells nobody.
    refused = await client.post(
        f"/v1/helpdesk/requests/{opened['id']}/notes",
        json={"body": "note"},
        headers=flow.researcher("res-alice"),
    )
    assert refused.status_code == 403
    assert [e["type"] for e in await events() if "helpdesk" in e["type"]] == [
        "srs.helpdesk.request_opened.v1"
    ]


async def test_output_questions_go_to_the_statistical_support_team_only(
    client, flow, clock, checker
):
    await flow.register("res-alice")
    general = await ask(client, flow, "res-alice", subject="Password")
    output = await ask(
        client,
        flow,
        "res-alice",
        subject="Is this table safe?",
        category="output_question",
        reference={"kind": "output", "id": "out_1", "label": "Table 3"},
    )
    assert output["team"] == "statistical_support"

    checker_queue = (await client.get("/v1/helpdesk/queue", headers=checker)).json()["items"]
    assert [r["id"] for r in checker_queue] == [output["id"]]
    support_queue = (await client.get("/v1/helpdesk/queue", headers=flow.support)).json()
    assert [r["id"] for r in support_queue["items"]] == [general["id"]]
    # Another team's queue, request, thread or actions: refused or not found.
    other_queue = await client.get(
        "/v1/helpdesk/queue", params={"team": "support"}, headers=checker
    )
    assert other_queue.status_code == 403
    for path in ("", "/replies", "/notes", "/resolve", "/close"):
        url = f"/v1/helpdesk/requests/{general['id']}{path}"
        answer = (
            await client.get(url, headers=checker)
            if not path
            else await client.post(
                url, json={"body": "x"} if path in ("/replies", "/notes") else {}, headers=checker
            )
        )
        assert answer.status_code == 404, (path, answer.text)
    assert (
        await client.get(f"/v1/helpdesk/requests/{output['id']}", headers=flow.support)
    ).status_code == 404
    answered = await client.post(
        f"/v1/helpdesk/requests/{output['id']}/replies",
        json={"body": "Round the counts to 5."},
        headers=checker,
    )
    assert answered.status_code == 200 and answered.json()["status"] == "awaiting_researcher"


async def test_a_researcher_sees_only_their_own_requests(client, flow, clock, tokens):
    await flow.register("res-alice")
    await flow.register("res-bob")
    alices = await ask(client, flow, "res-alice")
    bobs = await ask(client, flow, "res-bob")
    mine = await client.get("/v1/helpdesk/requests", headers=flow.researcher("res-bob"))
    assert [r["id"] for r in mine.json()["items"]] == [bobs["id"]]
    for method, path, body in (
        ("GET", "", None),
        ("POST", "/replies", {"body": "me too"}),
        ("POST", "/close", {}),
    ):
        response = await client.request(
            method,
            f"/v1/helpdesk/requests/{alices['id']}{path}",
            json=body,
            headers=flow.researcher("res-bob"),
        )
        assert response.status_code == 404, (path, response.text)
    # Researchers cannot resolve nor read a queue; the panel and partners have no helpdesk.
    assert (
        await client.post(
            f"/v1/helpdesk/requests/{alices['id']}/resolve",
            json={},
            headers=flow.researcher("res-alice"),
        )
    ).status_code == 403
    assert (
        await client.get("/v1/helpdesk/queue", headers=flow.researcher("res-alice"))
    ).status_code == 403
    assert (await client.get("/v1/helpdesk/requests", headers=flow.panel)).status_code == 403
    assert (await client.get("/v1/helpdesk/requests")).status_code == 401


async def test_the_queue_is_ordered_by_expected_answer_and_marks_the_overdue(client, flow, clock):
    await flow.register("res-alice")
    clock.at = dt.datetime(2026, 12, 2, 9, 0, tzinfo=LONDON)  # Wednesday morning
    first = await ask(client, flow, "res-alice", subject="first")
    clock.at = dt.datetime(2026, 12, 5, 11, 0, tzinfo=LONDON)  # Saturday: due Monday 17:00
    weekend = await ask(client, flow, "res-alice", subject="weekend")
    clock.at = dt.datetime(2026, 12, 4, 16, 30, tzinfo=LONDON)  # Friday: due Monday 16:30
    friday = await ask(client, flow, "res-alice", subject="friday")

    clock.at = dt.datetime(2026, 12, 7, 16, 45, tzinfo=LONDON)  # Monday 16:45
    page = await client.get("/v1/helpdesk/queue", params={"limit": 2}, headers=flow.support)
    items = page.json()["items"]
    assert [(r["subject"], r["overdue"]) for r in items] == [("first", True), ("friday", True)]
    rest = await client.get(
        "/v1/helpdesk/queue",
        params={"limit": 2, "cursor": page.json()["next"]},
        headers=flow.support,
    )
    assert [(r["id"], r["overdue"]) for r in rest.json()["items"]] == [(weekend["id"], False)]
    assert rest.json()["next"] is None
    assert {first["id"], friday["id"]} == {r["id"] for r in items}


async def test_bad_input_is_a_problem_naming_the_field(client, flow, clock, events):
    await flow.register("res-alice")
    for body, field in (
        ({"subject": "", "message": "x"}, "subject"),
        ({"subject": "x", "message": "x", "category": "gossip"}, "category"),
        ({"subject": "x", "message": "x", "reference": {"kind": "dataset", "id": "d"}}, "kind"),
        ({"subject": "x", "message": "x", "priority": "urgent"}, "priority"),
    ):
        response = await client.post(
            "/v1/helpdesk/requests", json=body, headers=flow.researcher("res-alice")
        )
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert any(field in e["field"] for e in response.json()["errors"]), response.json()
    unregistered = await client.post(
        "/v1/helpdesk/requests",
        json={"subject": "x", "message": "x"},
        headers=flow.researcher("res-nobody"),
    )
    assert unregistered.status_code == 422
    assert unregistered.json()["rule"] == "profile_required"
    assert await events("srs.helpdesk.request_opened.v1") == []
