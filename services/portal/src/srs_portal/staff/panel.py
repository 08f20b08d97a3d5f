"""The Research Accreditation Panel's workspace: the queues of accreditation and project
applications awaiting a decision (oldest first) with the panel's decision times, and an
accreditation application's page beside the rules that apply, with its decision. The
project application's page is in :mod:`srs_portal.staff.panel_projects`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render
from srs_portal.security import require_csrf
from srs_portal.staff import require_role
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    decision_form,
    every_item,
    form_text,
    refusal,
    staff_call,
)
from srs_portal.staff.panel_figures import decision_times

router = APIRouter(prefix="/panel")
PanelMember = Annotated[dict[str, Any], Depends(require_role("panel"))]

AWAITING_ACCREDITATION = ("submitted", "resubmitted")
AWAITING_PROJECT = ("submitted", "resubmitted", "under_review")
KINDS = {
    "full": "Full accredited researcher",
    "provisional": "Provisional accredited researcher",
    "srsa_approved": "SRSA approved researcher",
}
# The accreditation service's eligibility rules (its domain.check_eligibility), in words.
FULL_RULES = [
    "Safe researcher training completed, with its date, not in the future.",
    "An undergraduate degree or higher with a significant proportion of mathematics or "
    "statistics, or at least three years of quantitative research experience.",
]
RULES = {
    "full": FULL_RULES,
    "srsa_approved": FULL_RULES,
    "provisional": [
        "Safe researcher training completed, with its date, not in the future.",
        "A named supervisor who is not the applicant and holds a current full accreditation.",
        "The supervisor works at the applicant's organisation.",
    ],
}
# Decision -> (the API's action path, what the reason is for, in words).
ACCREDITATION_DECISIONS = {
    "approve": ("approve", "approving"),
    "reject": ("reject", "rejecting"),
    "request_information": ("request-information", "the questions to the applicant"),
}


def oldest_first(items: list[dict[str, Any]], *keys: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda i: next((str(i[k]) for k in keys if i.get(k)), ""))


@router.get("", response_class=HTMLResponse)
async def queue(request: Request, user: PanelMember) -> Response:
    platform, token = await staff_call(request)
    applications: list[dict[str, Any]] = []
    for status in AWAITING_ACCREDITATION:
        applications += await every_item(
            platform, "accreditation", "/v1/applications", token, {"status": status}
        )
    projects: list[dict[str, Any]] = []
    for status in AWAITING_PROJECT:
        projects += await every_item(
            platform, "projects", "/v1/projects", token, {"status": status}
        )
    return render(
        request,
        "staff/panel.html",
        {
            "title": "Research Accreditation Panel",
            "applications": oldest_first(applications, "submitted_at", "created_at"),
            "projects": oldest_first(projects, "created_at"),
            "kinds": KINDS,
            "figures": await decision_times(platform, token, dt.datetime.now(dt.UTC)),
        },
    )


async def _application(request: Request, application_id: str) -> dict[str, Any]:
    platform, token = await staff_call(request)
    application = await platform.get(
        "accreditation", f"/v1/applications/{application_id}", token=token
    )
    if application is None:
        raise NotFound("there is no application awaiting the panel at this address")
    return dict(application)


async def _people(request: Request, application: dict[str, Any]) -> dict[str, Any]:
    """The applicant's profile (qualifications, organisation) and the named supervisor's
    profile and accreditations, as the accreditation service shows them to the panel."""
    platform, token = await staff_call(request)
    applicant = await platform.get(
        "accreditation", f"/v1/researchers/{application['researcher_id']}", token=token
    )
    supervisor = held = None
    if application.get("supervisor_id"):
        path = f"/v1/researchers/{application['supervisor_id']}"
        supervisor = await platform.get("accreditation", path, token=token)
        if supervisor is not None:
            held = await platform.get("accreditation", path + "/accreditations", token=token)
    return {
        "applicant": applicant,
        "supervisor": supervisor,
        "supervisor_held": held or [],
        "organisations": await platform.organisation_names(),
    }


async def _application_page(
    request: Request,
    application: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    kind = str(application.get("kind"))
    platform, token = await staff_call(request)
    # The version this page shows; the decision form sends it back as If-Match.
    path = f"/v1/applications/{application['id']}"
    etag = await platform.etag("accreditation", path, token=token)
    decider = str(application.get("decided_by") or "")
    if decider:
        named = await platform.staff_names({decider}, token=token)
        application = {**application, "decided_by": named.get(decider, decider)}
    return render(
        request,
        "staff/panel_application.html",
        {
            "title": f"{KINDS.get(kind, kind)} application",
            "application": application,
            **await _people(request, application),
            "kind_name": KINDS.get(kind, kind),
            "rules": RULES.get(kind, []),
            "awaiting": application.get("status") in AWAITING_ACCREDITATION,
            "etag": etag,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/accreditation-applications/{application_id}", response_class=HTMLResponse)
async def application_page(request: Request, application_id: str, user: PanelMember) -> Response:
    return await _application_page(request, await _application(request, application_id))


@router.post(
    "/accreditation-applications/{application_id}/decision",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def decide_application(request: Request, application_id: str, user: PanelMember) -> Response:
    application = await _application(request, application_id)
    form = await request.form()
    values, decision, errors, body = decision_form(form, ACCREDITATION_DECISIONS)
    if errors or decision is None:
        return await _application_page(request, application, values, errors, status=422)
    platform, token = await staff_call(request)
    status, answer = await platform.send(
        "POST",
        "accreditation",
        f"/v1/applications/{application_id}/{decision[0]}",
        token=token,
        json=body,
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        # Another panel member acted first: the application as it is now, saying so.
        current = await _application(request, application_id)
        errors["decision"] = CHANGED_MEANWHILE
        return await _application_page(request, current, values, errors, status=412)
    if status != 200:
        errors["decision"] = refusal(answer, "The accreditation service refused the decision")
        return await _application_page(request, application, values, errors, status=status)
    return RedirectResponse(f"/panel/accreditation-applications/{application_id}", status_code=303)
