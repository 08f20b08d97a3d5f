"""A researcher's requests for new linked datasets (the projects service's linked dataset
requests): the request form (the catalogue's datasets to link, the purpose and the
benefit beyond one project), the list of their requests and one request's assessment
and outcome. Every rule is the projects service's."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError, NotFound
from srs_portal.pages import render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.security import require_csrf
from srs_portal.signin import access_token
from srs_portal.staff.common import every_item, form_text, refusal

router = APIRouter(prefix="/linkage")
STATUS_WORDS = {
    "requested": ("Waiting for assessment", "blue"),
    "under_assessment": ("Being assessed", "yellow"),
    "agreed": ("Agreed", "green"),
    "declined": ("Declined", "red"),
}
FACTOR_WORDS = {
    "strong": "Strong",
    "moderate": "Moderate",
    "weak": "Weak",
    "straightforward": "Straightforward",
    "complex": "Complex",
    "not_feasible": "Not feasible",
}
TEXTS = ("title", "purpose", "wider_benefit")


def requester(request: Request) -> dict[str, Any]:
    user = signed_in_user(request)
    if not user.get("researcher_id"):
        raise AppError(
            "Linked datasets are requested by researchers. Your account is a staff account.",
            status=403,
            title="You cannot request a linked dataset",
        )
    return user


def described(item: dict[str, Any]) -> dict[str, Any]:
    words, colour = STATUS_WORDS.get(item["status"], (item["status"], "grey"))
    return {**item, "status_words": words, "colour": colour, "factor_words": FACTOR_WORDS}


@router.get("/requests", response_class=HTMLResponse)
async def request_list(request: Request) -> Response:
    requester(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    found = await every_item(platform, "projects", "/v1/linked-dataset-requests", token)
    return render(
        request,
        "linkage_requests.html",
        {"title": "Linked dataset requests", "requests": [described(r) for r in found]},
    )


async def _form(
    request: Request, token: str, values: dict[str, Any], errors: dict[str, str], status: int = 200
) -> Response:
    platform: Platform = request.app.state.platform
    datasets = await every_item(platform, "access", "/v1/datasets", token)
    return render(
        request,
        "linkage_request_new.html",
        {
            "title": "Request a linked dataset",
            "datasets": datasets,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@router.get("/requests/new", response_class=HTMLResponse)
async def new_form(request: Request) -> Response:
    requester(request)
    return await _form(request, await access_token(request), {"datasets": []}, {})


@router.post("/requests/new", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def create(request: Request) -> Response:
    requester(request)
    token = await access_token(request)
    form = await request.form()
    values: dict[str, Any] = {name: form_text(form, name) for name in TEXTS}
    values["datasets"] = [str(v) for v in form.getlist("datasets")]
    errors: dict[str, str] = {}
    if len(values["title"]) < 3:
        errors["title"] = "Enter a name for the linked dataset"
    if len(values["datasets"]) < 2:
        errors["datasets"] = "Choose at least two datasets to link"
    if len(values["purpose"]) < 3:
        errors["purpose"] = "Explain what the linked dataset is for"
    if len(values["wider_benefit"]) < 3:
        errors["wider_benefit"] = "Explain the research benefit beyond your own project"
    if errors:
        return await _form(request, token, values, errors, status=422)
    platform: Platform = request.app.state.platform
    status, answer = await platform.post(
        "projects",
        "/v1/linked-dataset-requests",
        token=token,
        json={
            "title": values["title"],
            "source_dataset_ids": values["datasets"],
            "purpose": values["purpose"],
            "wider_benefit": values["wider_benefit"],
        },
    )
    if status != 201:
        errors["datasets"] = refusal(answer, "The projects service refused the request")
        return await _form(request, token, values, errors, status=422)
    return RedirectResponse(f"/linkage/requests/{answer['id']}", status_code=303)


@router.get("/requests/{request_id}", response_class=HTMLResponse)
async def request_page(request: Request, request_id: str) -> Response:
    requester(request)
    token = await access_token(request)
    platform: Platform = request.app.state.platform
    item = await platform.get("projects", f"/v1/linked-dataset-requests/{request_id}", token=token)
    if item is None:
        raise NotFound("there is no linked dataset request of yours at this address")
    return render(
        request, "linkage_request.html", {"title": item["title"], "item": described(item)}
    )
