"""A researcher's projects: the list of the projects they belong to, a project's page (its
status, the panel's decision and conditions, its datasets and their access levels, members
and roles, the project space) and the project application form. Everything shown is what
the projects and access services answer the person with their own token."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import problem_detail, render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()

# The catalogue's access levels, and what each permits (the access service's AccessLevel).
LEVELS = {
    "safe_setting": ("Safe setting only", "Use in a safe room or a SafePod only."),
    "aoc_office": (
        "Safe setting or office",
        "Also from an office of an organisation with a current assured organisational "
        "connectivity agreement.",
    ),
    "home": (
        "Safe setting, office or home",
        "Also from home, with an approved home working application.",
    ),
}
GATEWAYS = [
    ("DEA", "Digital Economy Act 2017", "Research under the Digital Economy Act 2017."),
    ("SRSA", "Statistics and Registration Service Act 2007", "Research under the SRSA 2007."),
]
ROLES = [
    ("researcher", "Researcher"),
    ("peer_reviewer_data", "Peer reviewer (data)"),
    ("peer_reviewer_outputs", "Peer reviewer (outputs only)"),
]
ROLE_NAMES = {"lead": "Lead researcher", **dict(ROLES)}
DECISIONS = {
    "approve": "Approved",
    "reject": "Rejected",
    "request_information": "Information requested",
    "start_review": "Review started",
    "suspend": "Suspended",
    "resume": "Resumed",
    "linkage_task_opened": "IDBR matching task opened",
    "linkage_task_started": "IDBR matching started",
    "linkage_task_completed": "IDBR matching completed",
    "linkage_task_failed": "IDBR matching failed",
}
MEMBER_ROWS = 2
# The projects API's field names (problem+json ``errors[].field``) to the form's.
FIELDS = {
    "body.title": "title",
    "body.lay_summary": "lay_summary",
    "body.public_benefit": "public_benefit",
    "body.legal_gateway": "legal_gateway",
    "body.dataset_ids": "datasets",
    "body.expected_start_date": "start",
    "body.expected_end_date": "end",
    "body.ethics_confirmed": "confirmations",
    "body.data_source_acknowledged": "confirmations",
    "body.priority_requested": "priority_requested",
}
FORM_FIELDS = (
    "title",
    "lay_summary",
    "public_benefit",
    "legal_gateway",
    "start-day",
    "start-month",
    "start-year",
    "end-day",
    "end-month",
    "end-year",
    "priority_requested",
)


async def _catalogue(request: Request, token: str) -> dict[str, dict[str, Any]]:
    """The catalogue's datasets by id, each with its access level in words."""
    platform: Platform = request.app.state.platform
    page = await platform.get("access", "/v1/datasets", token=token, params={"limit": 200})
    datasets = {}
    for item in (page or {}).get("items", []):
        name, permits = LEVELS.get(str(item.get("access_level")), ("Unknown", ""))
        datasets[item["id"]] = {**item, "level_name": name, "level_permits": permits}
    return datasets


@router.get("/projects", response_class=HTMLResponse)
async def project_list(request: Request) -> Response:
    signed_in_user(request)
    token = await access_token(request)
    page = await request.app.state.platform.get("projects", "/v1/projects", token=token)
    return render(request, "projects.html", {"projects": (page or {}).get("items", [])})


def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    datasets: dict[str, dict[str, Any]],
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "project_apply.html",
        {
            "title": "Apply for a project",
            "values": values,
            "errors": errors,
            "datasets": list(datasets.values()),
            "gateways": GATEWAYS,
            "roles": ROLES,
            "member_rows": range(1, MEMBER_ROWS + 1),
        },
        status=status,
    )


@router.get("/projects/apply", response_class=HTMLResponse)
async def apply_form(request: Request) -> Response:
    researcher(request)
    token = await access_token(request)
    return _page(request, {"dataset_ids": []}, {}, await _catalogue(request, token))


def _date(values: dict[str, str], prefix: str) -> dt.date | None:
    try:
        return dt.date(
            int(values[f"{prefix}-year"]),
            int(values[f"{prefix}-month"]),
            int(values[f"{prefix}-day"]),
        )
    except ValueError:
        return None


def _problem_errors(body: Any, errors: dict[str, str], fallback: str) -> None:
    """The API's reasons against the fields they concern (its detail otherwise)."""
    problem = body if isinstance(body, dict) else {}
    for error in problem.get("errors") or []:
        field = str(error.get("field"))
        name = FIELDS.get(field) or FIELDS.get(field.rsplit(".", 1)[0])
        if name is not None:
            errors.setdefault(name, str(error.get("message", "")))
    if not errors:
        rule = str(problem.get("rule", ""))
        name = "members" if "accreditation" in rule or "member" in rule else fallback
        errors[name] = problem_detail(problem, "The application could not be made")


@router.post("/projects/apply", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def apply(request: Request) -> Response:
    user = researcher(request)
    token = await access_token(request)
    datasets = await _catalogue(request, token)
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in FORM_FIELDS}
    values["dataset_ids"] = [str(v) for v in form.getlist("dataset_ids")]
    values["confirmations"] = [str(v) for v in form.getlist("confirmations")]
    members = []
    for row in range(1, MEMBER_ROWS + 1):
        member_id = str(form.get(f"member-{row}-id", "")).strip()
        role = str(form.get(f"member-{row}-role", "")).strip()
        values[f"member-{row}-id"], values[f"member-{row}-role"] = member_id, role
        if member_id:
            members.append((row, member_id, role))
    errors: dict[str, str] = {}
    if not values["title"]:
        errors["title"] = "Enter the project's title"
    if not values["dataset_ids"]:
        errors["datasets"] = "Choose at least one dataset"
    elif any(d not in datasets for d in values["dataset_ids"]):
        errors["datasets"] = "Choose datasets from the catalogue"
    if values["legal_gateway"] not in {g for g, _, _ in GATEWAYS}:
        errors["legal_gateway"] = "Choose the legal gateway of the research"
    start, end = _date(values, "start"), _date(values, "end")
    if start is None:
        errors["start"] = "Enter the date the project is expected to start, like 1 4 2027"
    if end is None:
        errors["end"] = "Enter the date the project is expected to end, like 31 3 2028"
    for row, _, role in members:
        if role not in dict(ROLES):
            errors[f"member-{row}-role"] = "Choose the member's role"
    if errors:
        return _page(request, values, errors, datasets, status=422)
    assert start is not None and end is not None
    platform: Platform = request.app.state.platform
    application = {
        "title": values["title"],
        "lay_summary": values["lay_summary"],
        "public_benefit": values["public_benefit"],
        "legal_gateway": values["legal_gateway"],
        "dataset_ids": values["dataset_ids"],
        "expected_start_date": start.isoformat(),
        "expected_end_date": end.isoformat(),
        "ethics_confirmed": "ethics" in values["confirmations"],
        "data_source_acknowledged": "data_source" in values["confirmations"],
        "priority_requested": values["priority_requested"] == "yes",
    }
    # A draft of this title left by an attempt that was refused is completed, not doubled.
    drafts = await platform.get("projects", "/v1/projects", token=token, params={"status": "draft"})
    draft = next(
        (
            p
            for p in (drafts or {}).get("items", [])
            if p.get("title") == values["title"]
            and p.get("lead_researcher_id") == user.get("researcher_id")
        ),
        None,
    )
    if draft is not None:
        status, body = await platform.send(
            "PATCH", "projects", f"/v1/projects/{draft['id']}", token=token, json=application
        )
        status = 201 if status == 200 else status
    else:
        status, body = await platform.post(
            "projects", "/v1/projects", token=token, json=application
        )
    if status != 201:
        _problem_errors(body, errors, "title")
        return _page(request, values, errors, datasets, status=422)
    project_id = body["id"]
    for row, member_id, role in members:
        status, body = await platform.post(
            "projects",
            f"/v1/projects/{project_id}/members",
            token=token,
            json={"researcher_id": member_id, "role": role},
        )
        if status not in (201, 409):  # added now, or by a refused attempt
            problem = body if isinstance(body, dict) else {}
            errors[f"member-{row}-id"] = problem_detail(problem, "The member was refused")
    if not errors:
        status, body = await platform.post(
            "projects", f"/v1/projects/{project_id}/submit", token=token, json=None
        )
        if status == 200:
            return RedirectResponse(f"/projects/{project_id}", status_code=303)
        _problem_errors(body, errors, "lay_summary")
    # The draft stays with the projects service; its page says what it still needs.
    errors.setdefault("title", "Your application is saved as a draft but was not submitted")
    return _page(request, values, errors, datasets, status=422)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
async def project_page(request: Request, project_id: str) -> Response:
    signed_in_user(request)
    return await show_project(request, project_id)


async def show_project(
    request: Request,
    project_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The project's page; with ``errors``, a form's refusal in an error summary (422)."""
    user = signed_in_user(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
    if project is None:
        # Missing, or not this person's: the same answer (the API's 404).
        raise NotFound("there is no project of yours at this address")
    catalogue = await _catalogue(request, token)
    datasets = [
        catalogue.get(d) or {"id": d, "title": d, "level_name": "Unknown", "level_permits": ""}
        for d in project.get("dataset_ids", [])
    ]
    space = await platform.get("access", f"/v1/project-spaces/{project_id}", token=token)
    extensions = await platform.get(
        "projects", f"/v1/projects/{project_id}/extensions", token=token
    )
    linkage = await platform.get(
        "projects", "/v1/linkage-tasks", token=token, params={"project_id": project_id}
    )
    members = [
        {**m, "role_name": ROLE_NAMES.get(m.get("role", ""), str(m.get("role", "")))}
        for m in project.get("members", [])
    ]
    decisions = [
        {**d, "action_name": DECISIONS.get(d.get("action", ""), str(d.get("action", "")))}
        for d in project.get("decisions", [])
    ]
    return render(
        request,
        "project.html",
        {
            "title": project["title"],
            "project": project,
            "datasets": datasets,
            "members": members,
            "decisions": decisions,
            "space": space,
            "space_datasets": [
                catalogue.get(d, {}).get("title", d) for d in (space or {}).get("dataset_ids", [])
            ],
            "extensions": extensions if isinstance(extensions, list) else [],
            "linkage_tasks": (linkage or {}).get("items", []),
            "is_lead": project.get("lead_researcher_id") == user.get("researcher_id"),
            "gateway": dict((g, n) for g, n, _ in GATEWAYS).get(
                project.get("legal_gateway", ""), project.get("legal_gateway")
            ),
            "errors": errors or {},
            "values": values or {},
        },
        status=422 if errors else 200,
    )
