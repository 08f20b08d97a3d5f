"""Support staff's access work: the dataset catalogue, and organisations with their assured
organisational connectivity agreements (an agreement's end date is changed here, as the
access API allows). Ingestion requests: staff/support_ingestion.py."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import NotFound
from srs_portal.pages import render
from srs_portal.projects import LEVELS
from srs_portal.security import require_csrf
from srs_portal.staff.common import (
    CHANGED_MEANWHILE,
    every_item,
    form_text,
    refusal,
    staff_call,
)
from srs_portal.staff.support import SupportStaff

router = APIRouter(prefix="/support")


async def _catalogue_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    platform, token = await staff_call(request)
    datasets = await every_item(platform, "access", "/v1/datasets", token)
    for dataset in datasets:
        dataset["level_name"] = LEVELS.get(str(dataset.get("access_level")), ("Unknown", ""))[0]
    organisations = await platform.get("access", "/v1/organisations", token=token) or []
    # Each form carries the version it was drawn from (sent back as If-Match).
    tags = await asyncio.gather(
        *[platform.etag("access", f"/v1/datasets/{d['id']}", token=token) for d in datasets],
        *[
            platform.etag("access", f"/v1/organisations/{o['id']}", token=token)
            for o in organisations
        ],
    )
    for item, tag in zip([*datasets, *organisations], tags, strict=True):
        item["etag"] = tag
    return render(
        request,
        "staff/support_catalogue.html",
        {
            "title": "Dataset catalogue and organisations",
            "datasets": datasets,
            "levels": [(value, name) for value, (name, _) in LEVELS.items()],
            "organisations": organisations,
            "values": values or {},
            "errors": errors or {},
        },
        status=status,
    )


@router.get("/catalogue", response_class=HTMLResponse)
async def catalogue(request: Request, user: SupportStaff) -> Response:
    return await _catalogue_page(request)


@router.post(
    "/organisations/{organisation_id}/agreement",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def change_agreement(request: Request, organisation_id: str, user: SupportStaff) -> Response:
    """The end date of the organisation's agreement (empty: no agreement)."""
    platform, token = await staff_call(request)
    organisation: dict[str, Any] | None = await platform.get(
        "access", f"/v1/organisations/{organisation_id}", token=token
    )
    if organisation is None:
        raise NotFound("there is no organisation at this address")
    form = await request.form()
    values = {"organisation_id": organisation_id, "until": form_text(form, "until")}
    until = None
    if values["until"]:
        try:
            until = dt.date.fromisoformat(values["until"])
        except ValueError:
            errors = {"until": "Enter the agreement's end date like 2028-03-31, or leave it empty"}
            return await _catalogue_page(request, values, errors, status=422)
    body = {
        "name": organisation["name"],
        "contact_email": organisation.get("contact_email"),
        "aoc_certified_until": until.isoformat() if until else None,
        "legacy_remote_access": organisation.get("legacy_remote_access", False),
    }
    status, answer = await platform.send(
        "PUT",
        "access",
        f"/v1/organisations/{organisation_id}",
        token=token,
        json=body,
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        # Drawn again from what is stored now, with the message.
        current = await platform.get("access", f"/v1/organisations/{organisation_id}", token=token)
        values = {
            "organisation_id": organisation_id,
            "until": (current or {}).get("aoc_certified_until") or "",
        }
        return await _catalogue_page(request, values, {"until": CHANGED_MEANWHILE}, status=412)
    if status != 200:
        errors = {"until": refusal(answer, "The access service refused the change")}
        return await _catalogue_page(request, values, errors, status=status)
    return RedirectResponse("/support/catalogue#organisations", status_code=303)


@router.post(
    "/datasets/{dataset_id}/settings",
    response_class=HTMLResponse,
    dependencies=[Depends(require_csrf)],
)
async def change_dataset(request: Request, dataset_id: str, user: SupportStaff) -> Response:
    """A dataset's access level and disclosure threshold (the other services learn of the
    change from the access service's event)."""
    platform, token = await staff_call(request)
    dataset: dict[str, Any] | None = await platform.get(
        "access", f"/v1/datasets/{dataset_id}", token=token
    )
    if dataset is None:
        raise NotFound("there is no dataset at this address")
    form = await request.form()
    values = {
        "dataset_id": dataset_id,
        "access_level": form_text(form, "access_level"),
        "threshold": form_text(form, "threshold"),
    }
    errors: dict[str, str] = {}
    if values["access_level"] not in LEVELS:
        errors["access_level"] = "Choose the dataset's access level"
    threshold = int(values["threshold"]) if values["threshold"].isdigit() else 0
    if not 1 <= threshold <= 1000:
        errors["threshold"] = "Enter the disclosure threshold, a whole number from 1 to 1000"
    if errors:
        return await _catalogue_page(request, values, errors, status=422)
    body = {
        "title": dataset["title"],
        "owner": dataset["owner"],
        "access_level": values["access_level"],
        "disclosure_threshold": threshold,
        "operational_id_columns": dataset.get("operational_id_columns", []),
    }
    status, answer = await platform.send(
        "PUT",
        "access",
        f"/v1/datasets/{dataset_id}",
        token=token,
        json=body,
        if_match=form_text(form, "etag"),
    )
    if status == 412:
        current = await platform.get("access", f"/v1/datasets/{dataset_id}", token=token) or {}
        values = {
            "dataset_id": dataset_id,
            "access_level": str(current.get("access_level", "")),
            "threshold": str(current.get("disclosure_threshold", "")),
        }
        errors = {"access_level": CHANGED_MEANWHILE}
        return await _catalogue_page(request, values, errors, status=412)
    if status != 200:
        errors["access_level"] = refusal(answer, "The access service refused the change")
        return await _catalogue_page(request, values, errors, status=status)
    return RedirectResponse("/support/catalogue", status_code=303)
