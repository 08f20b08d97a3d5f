"""What the checkers' workspace reads from the API: the queue's clock in working days
(paused while a clarification is awaited) and who has reviewed (never how), per-file
verdicts and comments, the clarification thread's questions and answers, and a code file's
lines beside the scan's findings."""

from __future__ import annotations

from typing import Any

CODE = b"# count burglaries\ndf = read_csv('x')\nprint(df[df$id == 1, ])\n"


async def queue_item(world: Any, output_id: str, checker: str) -> dict[str, Any]:
    """The checkers' queue entry of one request, as ``checker`` reads it."""
    queue = await world.client.get("/v1/queue", headers=world.as_(checker))
    assert queue.status_code == 200, queue.text
    return next(i for i in queue.json()["items"] if i["id"] == output_id)


async def test_the_queue_carries_the_clock_and_who_has_reviewed(world):
    output_id = await world.in_review()
    item = await queue_item(world, output_id, "checker1")
    # Submitted on a Wednesday at 10:00: five working days left.
    assert item["working_days_left"] == 5.0
    assert item["due_today"] is False and item["overdue"] is False
    assert item["reviews_needed"] == 2 and item["reviewers"] == []
    assert item["requester_id"] == "res-alice"
    vote = await world.vote(output_id, "checker1", "reject", "dominance in the South cell")
    assert vote.status_code == 201
    item = await queue_item(world, output_id, "checker2")
    assert item["reviewers"] == ["chk-1"]
    # Who, never how: the queue carries no verdict and no reason.
    assert "reject" not in str(item) and "dominance" not in str(item)
    # The following Wednesday morning: due later today.
    world.clock.advance(days=7, hours=-1)
    item = await queue_item(world, output_id, "checker2")
    assert item["due_today"] is True and item["working_days_left"] == 0.04
    world.clock.advance(days=1)
    item = await queue_item(world, output_id, "checker2")
    assert item["overdue"] is True and item["working_days_left"] == -0.96


async def test_a_clarification_pauses_the_clock_and_threads_question_and_answer(world):
    output_id = await world.in_review()
    world.clock.advance(days=1)  # Thursday: four working days left
    asked = await world.client.post(
        f"/v1/outputs/{output_id}/clarification",
        headers=world.as_("checker1"),
        json={"text": "Is the South cell rounded?"},
    )
    assert asked.status_code == 200, asked.text
    world.clock.advance(days=5)  # the next Tuesday: the clock stood still
    item = await queue_item(world, output_id, "checker1")
    assert item["clarification_pending"] is True and item["working_days_left"] == 4.0
    assert item["due_today"] is False and item["overdue"] is False
    answered = await world.client.post(
        f"/v1/outputs/{output_id}/clarification/response",
        headers=world.as_("alice"),
        json={"text": "No: the counts are exact."},
    )
    assert answered.status_code == 200, answered.text
    thread = await world.client.get(f"/v1/outputs/{output_id}/comments", headers=world.as_("alice"))
    assert [(c["kind"], c["body"]) for c in thread.json()] == [
        ("question", "Is the South cell rounded?"),
        ("answer", "No: the counts are exact."),
    ]


async def test_per_file_verdicts_and_comments_stay_blind_and_checked(world):
    output_id = await world.in_review()
    read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker1"))
    file_id = read.json()["groups"][0]["files"][0]["id"]
    votes = f"/v1/outputs/{output_id}/votes"
    stranger = await world.client.post(
        votes,
        headers=world.as_("checker1"),
        json={"vote": "approve", "reason": "safe", "files": {"fil_nope": "approve"}},
    )
    assert stranger.status_code == 422 and stranger.json()["rule"] == "file_id"
    cast = await world.client.post(
        votes,
        headers=world.as_("checker1"),
        json={"vote": "reject", "reason": "see the table", "files": {file_id: "changes"}},
    )
    assert cast.status_code == 201 and cast.json()["files"] == {file_id: "changes"}
    blind = await world.client.get(votes, headers=world.as_("checker2"))
    assert blind.json()["votes"] == [] and "changes" not in blind.text
    comment = await world.client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=world.as_("checker1"),
        json={"body": "South is 3", "visibility": "private", "file_id": file_id},
    )
    assert comment.status_code == 201 and comment.json()["file_id"] == file_id
    wrong = await world.client.post(
        f"/v1/outputs/{output_id}/comments",
        headers=world.as_("checker1"),
        json={"body": "which file?", "file_id": "fil_nope"},
    )
    assert wrong.status_code == 422 and wrong.json()["rule"] == "file_id"
    mine = await world.client.get(f"/v1/outputs/{output_id}/comments", headers=world.as_("alice"))
    assert "South is 3" not in mine.text  # private to checkers


async def test_a_code_file_carries_its_lines_numbered_as_the_findings(world):
    output_id = await world.submitted(kind="code_file", files=[("analysis.R", CODE)])
    read = await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("checker1"))
    check = read.json()["groups"][0]["files"][0]["check"]
    assert check["lines"][2] == "print(df[df$id == 1, ])"
    assert check["total_lines"] == 3 and check["truncated"] is False
    assert 3 in {f["line"] for f in check["findings"]}
