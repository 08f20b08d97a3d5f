"""Home working: a researcher's applications to reach the service from home (the
access service's home-working requests), the application form with the fields the
service description asks for, a request's progress (submitted, the data owners' and
service staff's approvals, the extended SyOps signatures, and the outcome) and the SyOps
signature when it is the researcher's turn. Every rule is the access service's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal.pages import render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token
from srs_portal.staff import WORKSPACES, staff_roles

router = APIRouter()

STATUS_WORDS = {
    "submitted": "Waiting for decisions",
    "approved": "Approved",
    "refused": "Refused",
    "revoked": "Approval withdrawn",
}
STATUS_COLOURS = {"submitted": "blue", "approved": "green", "refused": "red", "revoked": "red"}
# The access service's refusals of an application (``rule``), in words, by form field.
RULES = {
    "organisation_machine": (
        "confirmations",
        "Home working is allowed only from a machine your organisation provides, connected "
        "through its corporate VPN. Confirm this to apply.",
    ),
    "agreement_confirmation": (
        "confirmations",
        "Confirm that your organisation has an Assured Organisational Connectivity agreement.",
    ),
    "no_current_agreement": (
        "confirmations",
        "Your organisation has no current Assured Organisational Connectivity agreement (a "
        "legacy remote-access arrangement does not count). Email srs.connectivity@ons.gov.uk "
        "to complete one before applying.",
    ),
    "organisation_required": (
        "confirmations",
        "Your account names no organisation. Contact srs.customer.support@ons.gov.uk.",
    ),
    "not_active_member": (
        "researcher_ids",
        "Everyone you name must be an active member of every project you choose.",
    ),
    "uncatalogued_dataset": (
        "project_ids",
        "A dataset of that project is not in the catalogue yet. Contact support.",
    ),
}
FIELDS = {
    "body.project_ids": "project_ids",
    "body.researcher_ids": "researcher_ids",
    "body.importance_to_government": "importance_to_government",
    "body.urgency_and_impact_of_delay": "urgency_and_impact_of_delay",
}
UNSEEN = "A project you are not a member of"
TEXTS = ("importance_to_government", "urgency_and_impact_of_delay")


def applicant(request: Request) -> dict[str, Any]:
    """The signed-in researcher (signed-out visitors are sent to sign in first)."""
    user = signed_in_user(request)
    if not user.get("researcher_id"):
        raise AppError(
            "Home working is applied for by researchers. Your account is a staff account.",
            status=403,
            title="You cannot apply for home working",
        )
    return user


async def _my_projects(platform: Platform, token: str, **params: str) -> list[dict[str, Any]]:
    """The person's projects (a researcher's own; none for staff)."""
    page = await platform.get(
        "projects", "/v1/projects", token=token, params={"limit": 200, **params}
    )
    return list((page or {}).get("items", []))


async def _people(
    platform: Platform, token: str, project_ids: list[str], me: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The active members of these projects by researcher id: their name (the
    signed-in person as "You") and the titles of the projects they are on."""
    people: dict[str, dict[str, Any]] = {}
    for project_id in project_ids:
        project = await platform.get("projects", f"/v1/projects/{project_id}", token=token) or {}
        for member in project.get("members", []):
            if not member.get("active"):
                continue
            rid = member["researcher_id"]
            # The name on the researcher record; the sign-in's display name only when the
            # projects service has not heard of the record yet.
            name = member.get("name") or rid
            if rid == me.get("researcher_id"):
                name = f"You ({member.get('name') or me.get('name') or rid})"
            entry = people.setdefault(rid, {"id": rid, "name": name, "projects": []})
            entry["projects"].append(project["title"])
    return people


async def _titles(platform: Platform, token: str, user: dict[str, Any]) -> dict[str, str]:
    if not user.get("researcher_id"):
        return {}  # staff: the projects service lists no projects of theirs
    return {p["id"]: p["title"] for p in await _my_projects(platform, token)}


@router.get("/home-working", response_class=HTMLResponse)
async def request_list(request: Request) -> Response:
    # A researcher's own requests; staff decide theirs in their workspaces.
    user = applicant(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    found = await platform.get("access", "/v1/home-working-requests", token=token) or []
    titles = await _titles(platform, token, user)
    requests = []
    for item in sorted(found, key=lambda r: r["submitted_at"], reverse=True):
        mine = user.get("researcher_id")
        to_sign = (
            item["status"] == "approved"
            and mine in item["researcher_ids"]
            and not item.get("syops_signed", {}).get(mine)
        )
        requests.append(
            {
                **item,
                "submitted_on": _day(item["submitted_at"]),
                "projects": [titles.get(p, UNSEEN) for p in item["project_ids"]],
                "status_words": "Approved: sign the extended SyOps"
                if to_sign
                else STATUS_WORDS.get(item["status"], item["status"]),
                "colour": "yellow" if to_sign else STATUS_COLOURS.get(item["status"], "grey"),
            }
        )
    return render(request, "home_working.html", {"title": "Home working", "requests": requests})


async def _form(
    request: Request,
    token: str,
    user: dict[str, Any],
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    platform: Platform = request.app.state.platform
    projects = await _my_projects(platform, token, status="active")
    people = await _people(platform, token, [p["id"] for p in projects], user)
    return render(
        request,
        "home_working_apply.html",
        {
            "title": "Apply for home working",
            "projects": projects,
            "people": list(people.values()),
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@router.get("/home-working/apply", response_class=HTMLResponse)
async def apply_form(request: Request) -> Response:
    user = applicant(request)
    token = await access_token(request)
    values = {"project_ids": [], "researcher_ids": [user["researcher_id"]], "confirmations": []}
    return await _form(request, token, user, values, {})


@router.post(
    "/home-working/apply", response_class=HTMLResponse, dependencies=[Depends(require_csrf)]
)
async def apply(request: Request) -> Response:
    user = applicant(request)
    token = await access_token(request)
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in TEXTS}
    for name in ("project_ids", "researcher_ids", "confirmations"):
        values[name] = [str(v) for v in form.getlist(name)]
    errors: dict[str, str] = {}
    if not values["project_ids"]:
        errors["project_ids"] = "Choose the projects to work on from home"
    if not values["researcher_ids"]:
        errors["researcher_ids"] = "Choose who needs to work from home"
    if len(values["importance_to_government"]) < 10:
        errors["importance_to_government"] = (
            "Explain why the research is important to the government and public services"
        )
    if len(values["urgency_and_impact_of_delay"]) < 10:
        errors["urgency_and_impact_of_delay"] = (
            "Explain how urgent the research is and what a delay would change"
        )
    if errors:
        return await _form(request, token, user, values, errors, status=422)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "access",
        "/v1/home-working-requests",
        token=token,
        json={
            "project_ids": values["project_ids"],
            "researcher_ids": values["researcher_ids"],
            "importance_to_government": values["importance_to_government"],
            "urgency_and_impact_of_delay": values["urgency_and_impact_of_delay"],
            "organisation_machine_over_vpn": "vpn" in values["confirmations"],
            "organisation_agreement_confirmed": "agreement" in values["confirmations"],
        },
    )
    if status == 201:
        return RedirectResponse(f"/home-working/requests/{body['id']}", status_code=303)
    problem = body if isinstance(body, dict) else {}
    for error in problem.get("errors") or []:
        field = str(error.get("field"))
        form_field = FIELDS.get(field) or FIELDS.get(field.rsplit(".", 1)[0])
        if form_field is not None:
            errors.setdefault(form_field, str(error.get("message", "")).capitalize())
    if not errors:
        field, sentence = RULES.get(
            str(problem.get("rule")),
            ("project_ids", "Choose projects you are an active member of"),
        )
        errors[field] = sentence
    return await _form(request, token, user, values, errors, status=422)


async def _datasets(platform: Platform, token: str) -> dict[str, str]:
    page = await platform.get("access", "/v1/datasets", token=token, params={"limit": 200})
    return {d["id"]: d["title"] for d in (page or {}).get("items", [])}


def _day(value: str) -> str:
    """An API date or time as the day in words (6 December 2026)."""
    try:
        day = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%B %Y}"


def _tag(text: str, colour: str) -> dict[str, Any]:
    return {"tag": {"text": text, "classes": f"govuk-tag--{colour}"}}


def progress(
    item: dict[str, Any], people: dict[str, dict[str, Any]], datasets: dict[str, str]
) -> list[dict[str, Any]]:
    """The request's steps as a GOV.UK task list: submitted, each data owner's approval,
    service staff's approval, each named researcher's SyOps signature, the outcome."""
    status = item["status"]
    decided = status in ("refused", "revoked")
    steps: list[dict[str, Any]] = [
        {
            "title": {"text": "Application submitted"},
            "hint": {"text": f"On {_day(item['submitted_at'])}"},
            "status": _tag("Done", "green"),
        }
    ]
    owners: dict[str, list[str]] = {}
    for dataset_id, owner in sorted(item.get("dataset_owners", {}).items()):
        owners.setdefault(owner, []).append(dataset_id)
    for owner, dataset_ids in owners.items():
        approved = all(d in item.get("owner_approvals", {}) for d in dataset_ids)
        steps.append(
            {
                "title": {"text": f"Approval by the data owner, {owner}"},
                "hint": {"text": "For " + ", ".join(datasets.get(d, d) for d in dataset_ids)},
                "status": _tag("Approved", "green")
                if approved
                else ({"text": "Not given"} if decided else _tag("Waiting", "blue")),
            }
        )
    if status == "submitted":
        respond = f"A response is due by {_day(item['respond_by'])}"
        respond += " (overdue)" if item.get("response_overdue") else ""
    else:
        respond = f"Decided on {_day(item.get('decided_at') or item['submitted_at'])}"
    steps.append(
        {
            "title": {"text": "Approval by ONS service staff"},
            "hint": {"text": respond},
            "status": _tag("Approved", "green")
            if item.get("staff_approved_by")
            else ({"text": "Not given"} if decided else _tag("Waiting", "blue")),
        }
    )
    signed = item.get("syops_signed") or {}
    for rid in item["researcher_ids"]:
        name = people.get(rid, {}).get("name", rid)
        if signed.get(rid):
            state = _tag("Signed", "green")
        elif status == "approved":
            state = _tag("To sign", "yellow")
        else:
            state = {"text": "Cannot start yet" if not decided else "Not needed"}
        steps.append(
            {
                "title": {"text": f"Extended SyOps signed by {name}"},
                "hint": {"text": "Each named researcher signs after the approvals"},
                "status": state,
            }
        )
    if status == "approved":
        everyone = all(signed.get(rid) for rid in item["researcher_ids"])
        outcome = _tag("Active", "green") if everyone else _tag("Waiting for signatures", "blue")
        hint = "Home working is allowed for those who have signed, from within the UK only"
    elif decided:
        outcome = _tag(STATUS_WORDS[status], "red")
        hint = f"Reason: {item.get('reason') or 'none given'}"
    else:
        outcome, hint = {"text": "Cannot start yet"}, "Once every approval is given"
    steps.append({"title": {"text": "Home working"}, "hint": {"text": hint}, "status": outcome})
    return steps


async def _request_page(
    request: Request, token: str, request_id: str, errors: dict[str, str], status: int = 200
) -> Response:
    user = signed_in_user(request)
    platform: Platform = request.app.state.platform
    item = await platform.get("access", f"/v1/home-working-requests/{request_id}", token=token)
    if item is None:
        # Missing, or not this person's: the same answer (the API's 404).
        raise NotFound("there is no home-working request of yours at this address")
    titles = await _titles(platform, token, user)
    people = await _people(platform, token, [p for p in item["project_ids"] if p in titles], user)
    mine = user.get("researcher_id")
    return render(
        request,
        "home_working_request.html",
        {
            "title": "Home working request",
            "item": item,
            "submitted_on": _day(item["submitted_at"]),
            "projects": [titles.get(p, UNSEEN) for p in item["project_ids"]],
            "people": [people.get(r, {}).get("name", r) for r in item["researcher_ids"]],
            "steps": progress(item, people, await _datasets(platform, token)),
            "status_words": STATUS_WORDS.get(item["status"], item["status"]),
            "colour": STATUS_COLOURS.get(item["status"], "grey"),
            "my_turn": item["status"] == "approved"
            and mine in item["researcher_ids"]
            and not (item.get("syops_signed") or {}).get(mine),
            "workspaces": [WORKSPACES[r] for r in staff_roles(user)],
            "errors": errors,
        },
        status=status,
    )


@router.get("/home-working/requests/{request_id}", response_class=HTMLResponse)
async def request_page(request: Request, request_id: str) -> Response:
    signed_in_user(request)
    token = await access_token(request)
    return await _request_page(request, token, request_id, {})


@router.post(
    "/home-working/requests/{request_id}/syops-signature",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def sign_syops(request: Request, request_id: str) -> Response:
    applicant(request)
    token = await access_token(request)
    form = await request.form()
    if form.get("agree") != "yes":
        errors = {"agree": "Confirm that you have read the extended SyOps and agree to them"}
        return await _request_page(request, token, request_id, errors, status=422)
    platform: Platform = request.app.state.platform
    status, _ = await platform.post(
        "access",
        f"/v1/home-working-requests/{request_id}/syops-signature",
        token=token,
        json=None,
        missing="there is no home-working request of yours at this address",
    )
    if status != 200:
        errors = {"agree": "This request is not waiting for your signature."}
        return await _request_page(request, token, request_id, errors, status=409)
    return RedirectResponse(f"/home-working/requests/{request_id}", status_code=303)
