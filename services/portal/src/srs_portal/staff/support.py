"""Support staff's workspace: find a researcher, a project, an output or a booking; a
researcher's page with their accreditations to suspend, reinstate or revoke (with a
reason), and what that cascaded to once the other services have heard of it: the
researcher's project memberships, their data accounts, their cancelled bookings."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff import require_role
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    every_item,
    form_text,
    reason_error,
    refusal,
    staff_call,
)
from srs_portal.staff.support_names import result_names

router = APIRouter(prefix="/support")
SupportStaff = Annotated[dict[str, Any], Depends(require_role("support"))]

# Accreditation status -> the actions support may take on it (the accreditation
# service's transitions), each with its label.
ACTIONS = {
    "current": [("suspend", "Suspend"), ("revoke", "Revoke")],
    "suspended": [("reinstate", "Reinstate"), ("revoke", "Revoke")],
}
ID = re.compile(r"[A-Za-z0-9_-]{1,60}")


def _moment(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@router.get("", response_class=HTMLResponse)
async def home(
    request: Request,
    user: SupportStaff,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The search: researchers by id, name or e-mail; projects by id or title; an output
    by its id or its project; a booking by its id or its researcher."""
    found: dict[str, list[dict[str, Any]]] = {}
    term = (q or "").strip()
    if term:
        platform, token = await staff_call(request)
        found["researchers"] = (
            await platform.get("accreditation", "/v1/researchers", token=token, params={"q": term})
            or {}
        ).get("items", [])
        found["projects"] = (
            await platform.get("projects", "/v1/projects", token=token, params={"q": term}) or {}
        ).get("items", [])
        found["outputs"] = found["bookings"] = []
        if ID.fullmatch(term):  # an id or a project's or researcher's id, never a path
            output = await platform.get("clearance", f"/v1/outputs/{term}", token=token)
            found["outputs"] = (
                [output]
                if output
                else await every_item(
                    platform, "clearance", "/v1/outputs", token, {"project_id": term}
                )
            )
            booking = await platform.get("booking", f"/v1/bookings/{term}", token=token)
            found["bookings"] = (
                [booking]
                if booking
                else await every_item(
                    platform, "booking", "/v1/bookings", token, {"researcher_id": term}
                )
            )
    return render(
        request,
        "staff/support.html",
        {
            "title": "Support",
            "q": term,
            "found": found,
            "searched": bool(term),
            "organisations": await request.app.state.platform.organisation_names() if term else {},
            "names": await result_names(*await staff_call(request), found) if term else {},
        },
    )


async def _researcher(request: Request, researcher_id: str) -> dict[str, Any]:
    platform, token = await staff_call(request)
    profile = await platform.get("accreditation", f"/v1/researchers/{researcher_id}", token=token)
    if profile is None:
        raise NotFound("there is no researcher at this address")
    accreditations = (
        await platform.get(
            "accreditation", f"/v1/researchers/{researcher_id}/accreditations", token=token
        )
        or []
    )
    # Each form carries the version of the accreditation it was drawn from (If-Match).
    tags = await asyncio.gather(
        *[
            platform.etag("accreditation", f"/v1/accreditations/{a['id']}", token=token)
            for a in accreditations
        ]
    )
    accreditations = [{**a, "etag": tag} for a, tag in zip(accreditations, tags, strict=True)]
    return {
        "profile": profile,
        "accreditations": accreditations,
        "organisations": await platform.organisation_names(),
    }


def _researcher_page(
    request: Request,
    researcher: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "staff/support_researcher.html",
        {
            "title": researcher["profile"]["name"],
            **researcher,
            "actions": ACTIONS,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/researchers/{researcher_id}", response_class=HTMLResponse)
async def researcher_page(request: Request, researcher_id: str, user: SupportStaff) -> Response:
    return _researcher_page(request, await _researcher(request, researcher_id))


@router.post(
    "/researchers/{researcher_id}/accreditations/{accreditation_id}",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def change_accreditation(
    request: Request, researcher_id: str, accreditation_id: str, user: SupportStaff
) -> Response:
    researcher = await _researcher(request, researcher_id)
    accreditation = next(
        (a for a in researcher["accreditations"] if a["id"] == accreditation_id), None
    )
    if accreditation is None:
        raise NotFound("there is no such accreditation of this researcher")
    form = await request.form()
    values = {"accreditation_id": accreditation_id}
    values["action"], values["reason"] = form_text(form, "action"), form_text(form, "reason")
    errors: dict[str, str] = {}
    allowed = dict(ACTIONS.get(accreditation["status"], []))
    if values["action"] not in allowed:
        errors["action"] = "Choose what to do with the accreditation"
    problem = reason_error(values["reason"], "the change")
    if problem:
        errors["reason"] = problem
    if errors:
        return _researcher_page(request, researcher, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.send(
        "POST",
        "accreditation",
        f"/v1/accreditations/{accreditation_id}/{values['action']}",
        token=token,
        json={"reason": values["reason"]},
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        # Another member of staff changed it since the page was drawn: shown as it is now.
        fresh = await _researcher(request, researcher_id)
        return _researcher_page(request, fresh, values, {"action": CHANGED_MEANWHILE}, status=412)
    if status != 200:
        errors["action"] = refusal(answer, "The accreditation service refused the change")
        return _researcher_page(request, researcher, values, errors, status=status)
    return RedirectResponse(
        f"/support/researchers/{researcher_id}?changed={values['action']}#cascade",
        status_code=303,
    )


async def cascade_of(request: Request, researcher_id: str) -> dict[str, Any]:
    """What the researcher's accreditation standing reaches in the other services, and
    whether they have all caught up with it (``settled``)."""
    platform, token = await staff_call(request)
    accreditations = (
        await platform.get(
            "accreditation", f"/v1/researchers/{researcher_id}/accreditations", token=token
        )
        or []
    )
    accredited = any(a["status"] == "current" for a in accreditations)
    projects = []
    for summary in await every_item(
        platform, "projects", "/v1/projects", token, {"researcher_id": researcher_id}
    ):
        project = await platform.get("projects", f"/v1/projects/{summary['id']}", token=token)
        member = next(
            (m for m in (project or {}).get("members", []) if m["researcher_id"] == researcher_id),
            None,
        )
        space = await platform.get("access", f"/v1/project-spaces/{summary['id']}", token=token)
        account = next(
            (a for a in (space or {}).get("accounts", []) if a["researcher_id"] == researcher_id),
            None,
        )
        projects.append({**summary, "member": member, "account": account})
    now = dt.datetime.now(dt.UTC)
    bookings = await every_item(
        platform, "booking", "/v1/bookings", token, {"researcher_id": researcher_id}
    )
    sites = {
        s["id"]: s["name"] for s in await platform.get("booking", "/v1/sites", token=token) or []
    }
    for booking in bookings:
        booking["site_name"] = sites.get(booking["site_id"], booking["site_id"])
    coming = [b for b in bookings if b["status"] == "confirmed" and _moment(b["ends_at"]) > now]
    cancelled = [b for b in bookings if b["status"] == "cancelled"]
    settled = accredited or (
        not coming
        and all(not (p["member"] or {}).get("active") for p in projects)
        and all(not (p["account"] or {}).get("enabled") for p in projects)
    )
    return {
        "researcher_id": researcher_id,
        "accredited": accredited,
        "projects": projects,
        "coming": coming,
        "cancelled": cancelled,
        "settled": settled,
    }


@router.get("/researchers/{researcher_id}/cascade", response_class=HTMLResponse)
async def cascade(request: Request, researcher_id: str, user: SupportStaff) -> Response:
    """The cascade as an htmx fragment that polls itself until every service has caught up
    (or as a page of its own)."""
    # 404 for a researcher that does not exist.
    researcher = await _researcher(request, researcher_id)
    context = {
        "title": "What the accreditation reaches",
        "researcher_name": researcher["profile"]["name"],
        **await cascade_of(request, researcher_id),
    }
    if request.headers.get("hx-request"):
        return render(request, "staff/support_cascade.html", context)
    return render(request, "staff/support_cascade_page.html", context)
