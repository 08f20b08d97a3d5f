"""The output checkers' workspace (role ``checker``): the queue ordered by priority and
service-level deadline with each request's clock and reviewers, and a request's page to
review it: tables with their failing cells, code with the scan's findings, per-file
verdicts and comments, the blind independent reviews, the consolidating decision and the
clarification thread.

Every rule is the clearance API's (who may review, blindness, how many reviews, when an
override reason is needed); the page asks the API as the signed-in checker and shows its
answer. A checker who made the request is refused its review page outright."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal.pages import problem_detail, render
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token
from srs_portal.staff import require_role
from srs_portal.staff.checking_view import (
    VERDICT_TAGS,
    VERDICTS,
    queue_rows,
    request_view,
    reviewer_ids,
)
from srs_portal.staff.checking_view import service_level as service_level_picture

router = APIRouter()

Checker = Annotated[dict[str, Any], Depends(require_role("checker"))]
# Pages of the queue read to draw the service-level picture (200 requests a page).
MAX_QUEUE_PAGES = 10


def me_of(user: dict[str, Any]) -> str:
    """The checker as the clearance service names them (its ``actor_of``)."""
    return str(user.get("researcher_id") or user.get("sub") or "")


async def _queue(request: Request, token: str) -> list[dict[str, Any]]:
    platform: Platform = request.app.state.platform
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(MAX_QUEUE_PAGES):
        params: dict[str, Any] = {"limit": 200}
        if cursor:
            params["cursor"] = cursor
        page = await platform.get("clearance", "/v1/queue", token=token, params=params) or {}
        items.extend(page.get("items", []))
        cursor = page.get("next")
        if not cursor:
            break
    return items


@router.get("/checking", response_class=HTMLResponse)
async def checking_queue(request: Request, user: Checker) -> Response:
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    items = await _queue(request, token)
    names = await platform.staff_names(reviewer_ids(items), token=token)
    rows = queue_rows(items, me_of(user), names)
    return render(
        request,
        "staff/checking.html",
        {"title": "Output checking", "rows": rows, "sla": service_level_picture(rows)},
    )


def _refuse_own(user: dict[str, Any], output: dict[str, Any]) -> None:
    if output.get("requester_id") in {user.get("researcher_id"), user.get("sub")}:
        raise AppError(
            "You made this output request: another checker reviews it. Nobody reviews "
            "their own request.",
            status=403,
            title="You cannot review your own request",
        )


async def _output(request: Request, user: dict[str, Any], token: str, output_id: str) -> Any:
    platform: Platform = request.app.state.platform
    output = await platform.get("clearance", f"/v1/outputs/{output_id}", token=token)
    if output is None:
        raise NotFound("there is no output request at this address")
    _refuse_own(user, output)
    return output


async def _page(
    request: Request,
    user: dict[str, Any],
    output_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    output = await _output(request, user, token, output_id)
    votes = await platform.get("clearance", f"/v1/outputs/{output_id}/votes", token=token)
    comments = await platform.get("clearance", f"/v1/outputs/{output_id}/comments", token=token)
    people = {v["checker_id"] for v in (votes or {}).get("votes", [])}
    people |= {c["author_id"] for c in comments or []} - {output["requester_id"]}
    names = await platform.staff_names(people, token=token)
    view = request_view(output, votes or {}, comments or [], me_of(user), names)
    return render(
        request,
        "staff/checking_output.html",
        {
            "title": f"Review: {output['title']}",
            "output": output,
            "verdicts": VERDICTS,
            "verdict_tags": VERDICT_TAGS,
            "errors": errors or {},
            "values": values or {},
            **view,
        },
        status=status,
    )


@router.get("/checking/outputs/{output_id}", response_class=HTMLResponse)
async def checking_output(request: Request, output_id: str, user: Checker) -> Response:
    return await _page(request, user, output_id)


@router.get("/checking/outputs/{output_id}/files/{file_id}")
async def download(request: Request, output_id: str, file_id: str, user: Checker) -> Response:
    """A file of the request, through the clearance API (which records the download)."""
    token = await access_token(request)
    output = await _output(request, user, token, output_id)
    file = next(
        (f for g in output.get("groups", []) for f in g.get("files", []) if f["id"] == file_id),
        None,
    )
    platform: Platform = request.app.state.platform
    data = None
    if file is not None:
        data = await platform.get_bytes(
            "clearance", f"/v1/outputs/{output_id}/files/{file_id}", token=token
        )
    if file is None or data is None:
        raise NotFound("there is no such file in this output request")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", file["filename"]) or "output"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _problem(body: Any, field: str, values: dict[str, Any]) -> dict[str, str]:
    """The API's refusal in words, against the form field it concerns (a field error's
    field, or the broken rule when it names a field of the form)."""
    problem = body if isinstance(body, dict) else {}
    for error in problem.get("errors") or []:
        named = str(error.get("field", "")).removeprefix("body.")
        if error.get("message"):
            return {named if named in values else field: f"{named}: {error['message']}"}
    rule = str(problem.get("rule") or "")
    words = problem_detail(problem, problem.get("title") or "The clearance service refused it")
    return {rule if rule in values else field: str(words)}


async def _act(
    request: Request,
    user: dict[str, Any],
    output_id: str,
    action: str,
    payload: dict[str, Any] | None,
    *,
    field: str,
    anchor: str,
    values: dict[str, Any],
) -> Response:
    """POST ``payload`` to the request's ``action``; back to the page on success, or the
    page again with the API's reason in the error summary against ``field``."""
    token = await access_token(request)
    await _output(request, user, token, output_id)  # exists, and not one's own
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "clearance", f"/v1/outputs/{output_id}/{action}", token=token, json=payload
    )
    if status < 300:
        return RedirectResponse(f"/checking/outputs/{output_id}#{anchor}", status_code=303)
    return await _page(
        request,
        user,
        output_id,
        errors=_problem(body, field, values),
        values=values,
        status=status if 400 <= status < 500 else 422,
    )


def _text(form: Any, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


@router.post(
    "/checking/outputs/{output_id}/review",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def start_review(request: Request, output_id: str, user: Checker) -> Response:
    return await _act(
        request, user, output_id, "review", None, field="start", anchor="review", values={}
    )


@router.post(
    "/checking/outputs/{output_id}/votes",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def cast_vote(request: Request, output_id: str, user: Checker) -> Response:
    form = await request.form()
    files = {
        str(key).removeprefix("file-"): value
        for key, value in form.items()
        if str(key).startswith("file-") and isinstance(value, str) and value in VERDICTS
    }
    values: dict[str, Any] = {
        "vote": _text(form, "vote"),
        "reason": _text(form, "reason"),
        "files": files,
    }
    errors = {}
    if values["vote"] not in ("approve", "reject"):
        errors["vote"] = "Choose whether you approve or reject the request"
    if len(values["reason"]) < 3:
        errors["reason"] = "Enter the reason for your review"
    if errors:
        return await _page(request, user, output_id, errors=errors, values=values, status=422)
    payload = {"vote": values["vote"], "reason": values["reason"], "files": files}
    return await _act(
        request, user, output_id, "votes", payload, field="reason", anchor="review", values=values
    )


@router.post(
    "/checking/outputs/{output_id}/comments",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def add_comment(request: Request, output_id: str, user: Checker) -> Response:
    form = await request.form()
    values = {
        "comment": _text(form, "comment"),
        "visibility": _text(form, "visibility"),
        "file_id": _text(form, "file_id"),
    }
    errors = {}
    if not values["comment"]:
        errors["comment"] = "Enter your comment"
    if values["visibility"] not in ("private", "shared"):
        errors["visibility"] = "Choose who may read the comment"
    if errors:
        return await _page(request, user, output_id, errors=errors, values=values, status=422)
    payload = {
        "body": values["comment"],
        "visibility": values["visibility"],
        "file_id": values["file_id"] or None,
    }
    return await _act(
        request,
        user,
        output_id,
        "comments",
        payload,
        field="comment",
        anchor="comments",
        values=values,
    )


@router.post(
    "/checking/outputs/{output_id}/clarification",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def ask(request: Request, output_id: str, user: Checker) -> Response:
    form = await request.form()
    values = {"question": _text(form, "question")}
    if len(values["question"]) < 3:
        errors = {"question": "Enter your question for the researcher"}
        return await _page(request, user, output_id, errors=errors, values=values, status=422)
    return await _act(
        request,
        user,
        output_id,
        "clarification",
        {"text": values["question"]},
        field="question",
        anchor="clarification",
        values=values,
    )


@router.post(
    "/checking/outputs/{output_id}/decision",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide(request: Request, output_id: str, user: Checker) -> Response:
    form = await request.form()
    values = {
        "decision": _text(form, "decision"),
        "decision_reason": _text(form, "decision_reason"),
        "override_reason": _text(form, "override_reason"),
    }
    errors = {}
    if values["decision"] not in ("approve", "reject"):
        errors["decision"] = "Choose whether the request is approved or rejected"
    if len(values["decision_reason"]) < 3:
        errors["decision_reason"] = "Enter the reason for the decision"
    if errors:
        return await _page(request, user, output_id, errors=errors, values=values, status=422)
    payload = {
        "decision": values["decision"],
        "reason": values["decision_reason"],
        "override_reason": values["override_reason"] or None,
    }
    return await _act(
        request,
        user,
        output_id,
        "decision",
        payload,
        field="override_reason" if values["override_reason"] else "decision_reason",
        anchor="decision",
        values=values,
    )
