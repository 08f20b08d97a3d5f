"""A project's output requests and an output request's page. The automatic disclosure
check of each table file is shown as the table itself: the clearance service's per-file
check names the cells that fail or need a checker (by their category key) and why; the
portal lays those findings over the file's own rows (downloaded through the clearance API
with the person's token) and says each reason in words."""

from __future__ import annotations

import csv
import io
import json
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
# The columns of a table file that hold a cell's figures (srs_clearance.tables.FIGURES).
FIGURES = ("count", "sum", "largest", "second_largest", "has_negative", "has_missing")


def reason_words(reason: str) -> str:
    return REASONS.get(reason, reason.replace("-", " ").replace("_", " ").capitalize())


def _flagged(check: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    """The check's cells by their category key (as text)."""
    return {
        tuple(str(part) for part in cell.get("key", [])): cell for cell in check.get("cells", [])
    }


def _rows_of(filename: str, data: bytes) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """The file's columns, its category columns and its rows (CSV or JSON tables)."""
    if filename.lower().endswith(".json"):
        document = json.loads(data)
        dimensions = [str(d) for d in document.get("dimensions") or []]
        rows = []
        figures: list[str] = []
        for cell in document.get("cells", []):
            key = [str(k) for k in cell.get("key", [])]
            names = dimensions or [f"Category {i + 1}" for i in range(len(key))]
            row: dict[str, Any] = dict(zip(names, key, strict=False))
            for name in FIGURES:
                if name in cell:
                    row[name] = cell[name]
                    if name not in figures:
                        figures.append(name)
            rows.append(row)
        names = dimensions or [f"Category {i + 1}" for i in range(len(rows[0]) - len(figures))]
        return names + figures, names, rows
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    header = [h.strip() for h in reader.fieldnames or []]
    categories = [h for h in header if h not in FIGURES and h != "statistic"]
    rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in reader]
    return header, categories, rows


def table_view(filename: str, data: bytes | None, check: dict[str, Any]) -> dict[str, Any]:
    """The table with each row's findings: columns, rows (cells, status, reasons in
    words), or only the flagged cells when the file is not one the portal can lay out."""
    flagged = _flagged(check)
    view: dict[str, Any] = {"columns": [], "rows": [], "flagged": []}
    try:
        if data is None:
            raise ValueError("no file")
        columns, categories, rows = _rows_of(filename, data)
    except (ValueError, KeyError, IndexError, UnicodeDecodeError, AttributeError, TypeError):
        for key, cell in flagged.items():
            view["flagged"].append(
                {
                    "key": ", ".join(key),
                    "status": cell.get("status"),
                    "reasons": [reason_words(r) for r in cell.get("reasons", [])],
                }
            )
        return view
    view["columns"] = columns
    view["categories"] = categories
    for row in rows:
        key = tuple(str(row.get(c, "")) for c in categories)
        found = flagged.get(key)
        view["rows"].append(
            {
                "cells": [row.get(c, "") for c in columns],
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
    outputs = []
    # The list answers statuses only: each request's title comes from reading it.
    for item in (page or {}).get("items", []):
        output = await platform.get("clearance", f"/v1/outputs/{item['id']}", token=token)
        if output is not None:
            outputs.append(output)
    return render(
        request,
        "outputs.html",
        {"title": f"Output requests: {project['title']}", "project": project, "outputs": outputs},
    )


@router.get("/outputs/{output_id}", response_class=HTMLResponse)
async def output_page(request: Request, output_id: str) -> Response:
    signed_in_user(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    output = await platform.get("clearance", f"/v1/outputs/{output_id}", token=token)
    if output is None:
        raise NotFound("there is no output request of yours at this address")
    project = await _project(request, token, output["project_id"])
    groups = []
    for group in output.get("groups", []):
        files = []
        for file in group.get("files", []):
            check = file.get("check")
            entry: dict[str, Any] = {
                "filename": file["filename"],
                "status": (check or {}).get("status"),
                "message": (check or {}).get("message"),
                "sheets": [],
            }
            if check and file.get("role") == "table":
                sheets = check.get("sheets")
                if sheets is None:
                    data = await platform.get_bytes(
                        "clearance", f"/v1/outputs/{output_id}/files/{file['id']}", token=token
                    )
                    entry["sheets"] = [{"name": None, **table_view(file["filename"], data, check)}]
                else:  # a spreadsheet: each sheet's findings
                    entry["sheets"] = [
                        {"name": sheet.get("sheet"), **table_view(file["filename"], None, sheet)}
                        for sheet in sheets
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
        },
    )
