"""What the output checkers' pages show, shaped from the clearance API's answers: each
request's clock in words, the service-level picture, and a request's files (tables with
their failing cells, code with the scan's findings on their lines), votes and comments.
No rule is decided here: the deadline, the clock, blindness and who may review are the
clearance service's; this module only says them in words."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from srs_portal.outputs import STATUS_WORDS, table_view

LONDON = ZoneInfo("Europe/London")

VERDICTS = {"approve": "Approve", "reject": "Reject", "changes": "Needs changes"}
VERDICT_TAGS = {"approve": "green", "reject": "red", "changes": "yellow"}


def when(value: str | None) -> str:
    """An API timestamp in London time, in words (``6 December 2026, 10:00``)."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(LONDON)
    return f"{moment.day} {moment:%B %Y, %H:%M}"


def due_words(value: str | None) -> str:
    """A deadline in London time; one at midnight is the end of the day before."""
    if not value:
        return ""
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(LONDON)
    if moment.time() == dt.time(0):
        day = moment.date() - dt.timedelta(days=1)
        return f"End of {day:%A} {day.day} {day:%B %Y}"
    return when(value)


def _days(value: float) -> str:
    days = round(abs(value), 1)
    number = f"{days:g}"
    return f"{number} working day" + ("" if days == 1 else "s")


def clock(item: dict[str, Any]) -> dict[str, str]:
    """The request's service-level clock in words, with its tag colour and state."""
    left = item.get("working_days_left")
    if left is None:
        return {"state": "none", "text": "No deadline", "colour": "grey"}
    if item.get("clarification_pending"):
        return {
            "state": "paused",
            "text": f"Paused, awaiting the researcher: {_days(left)} left",
            "colour": "yellow",
        }
    if item.get("overdue"):
        return {"state": "overdue", "text": f"Overdue by {_days(left)}", "colour": "red"}
    if item.get("due_today"):
        return {"state": "due_today", "text": "Due today", "colour": "orange"}
    return {"state": "on_track", "text": f"{_days(left)} left", "colour": "green"}


def _bar(count: int, total: int) -> int:
    """The share of ``total`` as a width class step (0, 5, ..., 100)."""
    if not total:
        return 0
    return min(100, max(5 if count else 0, round(count * 20 / total) * 5))


def service_level(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """How many open requests are overdue, due today, paused or on track."""
    counts = {"overdue": 0, "due_today": 0, "paused": 0, "on_track": 0}
    for row in rows:
        state = row["clock"]["state"]
        if state in counts:
            counts[state] += 1
    total = len(rows)
    labels = {
        "overdue": ("Overdue", "red"),
        "due_today": ("Due today", "orange"),
        "paused": ("Paused (clarification)", "yellow"),
        "on_track": ("On track", "green"),
    }
    return {
        "total": total,
        "bars": [
            {
                "state": state,
                "label": labels[state][0],
                "colour": labels[state][1],
                "count": count,
                "width": _bar(count, total),
            }
            for state, count in counts.items()
        ],
        **counts,
    }


def reviewer_ids(items: list[dict[str, Any]]) -> set[str]:
    """Every checker who has reviewed one of these requests (to be named once)."""
    return {r for item in items for r in item.get("reviewers", [])}


def queue_rows(
    items: list[dict[str, Any]], me: str, names: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The queue's entries, each with its clock and its reviewers named (you, their name,
    or their login when the directory does not name them)."""
    names = names or {}
    return [
        {
            **item,
            "clock": clock(item),
            "due": due_words(item.get("due_at")),
            "reviewed_by": [
                "you" if r == me else names.get(r, r) for r in item.get("reviewers", [])
            ],
            # A checker's own request is listed but never opened by them for review.
            "own": item.get("requester_id") == me,
        }
        for item in items
    ]


def code_view(check: dict[str, Any]) -> dict[str, Any]:
    """A code file's lines numbered as the scan's findings are, each finding on its line."""
    by_line: dict[int, list[dict[str, Any]]] = {}
    for finding in check.get("findings", []):
        by_line.setdefault(int(finding.get("line", 0)), []).append(finding)
    lines = check.get("lines")
    if lines is None:  # a notebook: the findings alone, by line
        return {"lines": [], "findings": sorted(by_line.items()), "truncated": False}
    numbered = []
    for number, text in enumerate(lines, start=1):
        found = by_line.get(number, [])
        severity = "fail" if any(f["severity"] == "fail" for f in found) else "review"
        numbered.append(
            {"number": number, "text": text, "findings": found, "severity": found and severity}
        )
    shown = len(lines)
    later = sorted((n, f) for n, f in by_line.items() if n > shown)
    return {
        "lines": numbered,
        "findings": later,
        "truncated": bool(check.get("truncated")),
        "total_lines": check.get("total_lines", shown),
    }


def _file_view(file: dict[str, Any]) -> dict[str, Any]:
    check = file.get("check") or {}
    entry: dict[str, Any] = {
        "id": file["id"],
        "filename": file["filename"],
        "role": file.get("role"),
        "status": check.get("status"),
        "message": check.get("message"),
        "sheets": [],
        "code": None,
    }
    if check and file.get("role") == "table":
        sheets = check.get("sheets")
        entry["sheets"] = (
            [{"name": None, **table_view(check)}]
            if sheets is None
            else [{"name": s.get("sheet"), **table_view(s)} for s in sheets]
        )
    elif check and file.get("role") == "code":
        entry["code"] = code_view(check)
    return entry


def request_view(
    output: dict[str, Any],
    votes: dict[str, Any],
    comments: list[dict[str, Any]],
    me: str,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The request page's content: groups and files with their comments and verdicts, the
    reviews (only what the votes list answers: one's own before every review is in), the
    clarification thread and the general comments."""
    names = names or {}
    shown = votes.get("votes", [])
    for vote in shown:
        vote["checker_name"] = names.get(vote["checker_id"], vote["checker_id"])
    mine = next((v for v in shown if v["checker_id"] == me), None)
    others = [v for v in shown if v["checker_id"] != me]
    per_file: dict[str, list[dict[str, Any]]] = {}
    general, thread = [], []
    for comment in comments:
        entry = {**comment, "when": when(comment.get("created_at"))}
        entry["by"] = (
            "You"
            if comment["author_id"] == me
            else "The researcher"
            if comment["author_id"] == output["requester_id"]
            else names.get(comment["author_id"], f"Checker {comment['author_id']}")
        )
        if comment.get("kind") in ("question", "answer"):
            thread.append(entry)
        elif comment.get("file_id"):
            per_file.setdefault(comment["file_id"], []).append(entry)
        else:
            general.append(entry)
    groups = []
    for group in output.get("groups", []):
        files = []
        for file in group.get("files", []):
            entry = _file_view(file)
            entry["comments"] = per_file.get(file["id"], [])
            entry["my_verdict"] = ((mine or {}).get("files") or {}).get(file["id"])
            entry["verdicts"] = [
                {"by": v["checker_name"], "verdict": (v.get("files") or {}).get(file["id"])}
                for v in others
                if (v.get("files") or {}).get(file["id"])
            ]
            files.append(entry)
        groups.append({**group, "files": files})
    for vote in shown:
        vote["when"] = when(vote.get("created_at"))
    complete = votes.get("received", 0) >= votes.get("needed", 0) > 0
    return {
        "groups": groups,
        "mine": mine,
        "others": others,
        "blind": bool(votes.get("blind", True)),
        "needed": votes.get("needed", 0),
        "received": votes.get("received", 0),
        "complete": complete,
        # Approving what every reviewer rejected needs an override reason (the API's
        # rule; the page asks for it only where the API will).
        "all_rejected": complete and bool(shown) and all(v["vote"] == "reject" for v in shown),
        "thread": thread,
        "general": general,
        "submitted": when(output.get("submitted_at")),
        "due": due_words(output.get("due_at")),
        "status_words": STATUS_WORDS,
    }
