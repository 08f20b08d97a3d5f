"""A project's output requests and an output request's page. The automatic disclosure
check of each table file is shown as the table itself: the clearance service's per-file
check names the cells that fail or need a checker (by their category key) and why; the
portal lays those findings over the file's own rows (downloaded through the clearance API
with the person's token) and says each reason in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.signin import access_token

router = APIRouter()

# The clearance service's reasons (srs_clearance.sdc.REASON_NAMES), in words.
REASONS = {
    "threshold": "Too few contributors: the count is below the minimum (threshold) rule",
    "p-ratio": "One contributor's value could be estimated too closely by another (p% rule)",
    "nk-rule": "A few contributors dominate the total (dominance rule)",
    "negative": "Holds negative values: a checker must look at it",
    "missing": "Holds missing values: a checker must look at it",
    "dof": "Too few residual degrees of freedom",
    "single-observation": "The statistic shows a single observation's value",
    "differencing": "Could be worked out by differencing against a table already cleared",
}
STATUS_WORDS = {
    "pass": "Passed",
    "fail": "Failed",
    "review": "Needs a checker's review",
    "not_checked": "Not checked automatically: a checker reviews it",
}


def reason_words(reason: str) -> str:
    return REASONS.get(reason, reason.replace("-", " ").replace("_", " ").capitalize())


def _flagged(check: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    """The check's cells by their category key (as text)."""
    return {
        tuple(str(part) for part in cell.get("key", [])): cell for cell in check.get("cells", [])
    }


def table_view(check: dict[str, Any]) -> dict[str, Any]:
    """The table with each row's findings: columns, rows (cells, status, reasons in
    words) from the table the check read (its ``table``), or only the flagged cells when the
    check carries no table."""
    flagged = _flagged(check)
    view: dict[str, Any] = {"columns": [], "rows": [], "flagged": [], "truncated": False}
    table = check.get("table")
    if not isinstance(table, dict) or not table.get("header"):
        for key, cell in flagged.items():
            view["flagged"].append(
                {
                    "key": ", ".join(key),
                    "status": cell.get("status"),
                    "reasons": [reason_words(r) for r in cell.get("reasons", [])],
                }
            )
        return view
    columns = [str(c) for c in table["header"]]
    categories = [str(d) for d in table.get("dimensions", [])]
    view["columns"] = columns
    view["categories"] = categories
    view["truncated"] = bool(table.get("truncated"))
    view["total_rows"] = table.get("total_rows")
    for values in table.get("rows", []):
        key = tuple(str(v) for v in values[: len(categories)])
        found = flagged.get(key)
        view["rows"].append(
            {
                "cells": list(values),
                "status": found.get("status") if found else "pass",
                "reasons": [reason_words(r) for r in (found or {}).get("reasons", [])],
            }
        )
    return view


async def _project(request: Request, token: str, project_id: str) -> dict[str, Any] | None:
    platform: Platform = request.app.state.platform
    result: dict[str, Any] | None = await platform.get(
        "projects", f"/v1/projects/{project_id}", token=token
    )
    return result


@router.get("/projects/{project_id}/outputs", response_class=HTMLResponse)
async def output_list(request: Request, project_id: str) -> Response:
    signed_in_user(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    project = await _project(request, token, project_id)
    if project is None:
        raise NotFound("there is no project of yours at this address")
    page = await platform.get(
        "clearance", "/v1/outputs", token=token, params={"project_id": project_id}
    )
    outputs = (page or {}).get("items", [])  # each with its title
    return render(
        request,
        "outputs.html",
        {"title": f"Output requests: {project['title']}", "project": project, "outputs": outputs},
    )


@router.get("/outputs/{output_id}", response_class=HTMLResponse)
async def output_page(request: Request, output_id: str) -> Response:
    signed_in_user(request)
    return await show_output(request, output_id)


async def show_output(
    request: Request,
    output_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The output request's page; with ``errors``, a form's refusal in an error summary
    (422) and what the person had typed."""
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    output = await platform.get("clearance", f"/v1/outputs/{output_id}", token=token)
    if output is None:
        raise NotFound("there is no output request of yours at this address")
    project = await _project(request, token, output["project_id"])
    comments = await platform.get("clearance", f"/v1/outputs/{output_id}/comments", token=token)
    thread = thread_of(output, comments or [])
    groups = []
    for group in output.get("groups", []):
        files = []
        for file in group.get("files", []):
            check = file.get("check")
            entry: dict[str, Any] = {
                "id": file["id"],
                "filename": file["filename"],
                "status": (check or {}).get("status"),
                "message": (check or {}).get("message"),
                "sheets": [],
                "comments": [c for c in thread if c.get("file_id") == file["id"]],
            }
            if check and file.get("role") == "table":
                # Drawn from the table the check read: the file is not downloaded (a
                # download is recorded in the request's audit trail).
                sheets = check.get("sheets")
                if sheets is None:
                    entry["sheets"] = [{"name": None, **table_view(check)}]
                else:  # a spreadsheet: each sheet as a table
                    entry["sheets"] = [
                        {"name": sheet.get("sheet"), **table_view(sheet)} for sheet in sheets
                    ]
            files.append(entry)
        groups.append({**group, "files": files})
    return render(
        request,
        "output.html",
        {
            "title": output["title"],
            "output": output,
            "project": project,
            "groups": groups,
            "status_words": STATUS_WORDS,
            "thread": [c for c in thread if not c.get("file_id")],
            "deadline": day_words(output.get("destruction_deadline")),
            "errors": errors or {},
            "values": values or {},
        },
        status=422 if errors else 200,
    )


def thread_of(output: dict[str, Any], comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation with the checkers, oldest first: who said it, in words."""
    thread = []
    for comment in comments:
        mine = comment.get("author_id") == output.get("requester_id")
        thread.append(
            {
                **comment,
                "who": "You" if mine else "Output checker",
                "when": day_words(comment.get("created_at")),
            }
        )
    return thread


def day_words(value: str | None) -> str | None:
    """``2026-12-01T09:00:00Z`` -> ``1 December 2026``."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"
