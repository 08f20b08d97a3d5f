"""A researcher registers their profile: the accreditation service's
``POST /v1/researchers`` behind a GOV.UK form. The organisation is the one of the
person's verified identity (the token's ``org``), so the form does not ask for it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_common.errors import AppError
from srs_portal import email_verification
from srs_portal.email_verification import verified_token
from srs_portal.pages import problem_detail, render, signed_in_user
from srs_portal.platform import Platform
from srs_portal.security import require_csrf

router = APIRouter()
router.include_router(email_verification.router)

DEGREES = [
    ("doctorate", "Doctorate"),
    ("masters", "Master's degree"),
    ("undergraduate", "Undergraduate degree"),
    ("none", "No degree"),
]
# The API's field names (problem+json ``errors[].field``) to the form's.
FIELDS = {
    "body.name": "name",
    "body.email": "email",
    "body.qualifications.degree": "degree",
    "body.qualifications.degree_quantitative": "degree_quantitative",
    "body.qualifications.quantitative_research_years": "quantitative_research_years",
}


class NotAResearcher(AppError):
    status = 403
    title = "Only researchers register a profile"


def researcher(request: Request) -> dict[str, Any]:
    user = signed_in_user(request)
    if not user.get("researcher_id"):
        raise NotAResearcher("your account is a staff account: it has no researcher profile")
    return user


def _page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    *,
    unverified: bool = False,
    sent: str | bool = False,
) -> HTMLResponse:
    return render(
        request,
        "profile_register.html",
        {
            "title": "Confirm your e-mail address"
            if unverified
            else "Register your researcher profile",
            "values": values,
            "errors": errors,
            "degrees": DEGREES,
            # Not confirmed yet (email_verification.py): the page asks for that first.
            "unverified": unverified,
            "sent": sent,
        },
        status=status,
    )


@router.get("/profile/register", response_class=HTMLResponse)
async def register_form(request: Request) -> Response:
    user = researcher(request)
    _, verified = await verified_token(request)
    values = {"name": user.get("name") or "", "email": user.get("email") or ""}
    return _page(request, values, {}, unverified=not verified)


@router.post("/profile/register", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def register(request: Request) -> Response:
    researcher(request)
    form = await request.form()
    values = {
        name: str(form.get(name, "")).strip()
        for name in (
            "name",
            "email",
            "degree",
            "degree_quantitative",
            "quantitative_research_years",
        )
    }
    errors: dict[str, str] = {}
    years_text = values["quantitative_research_years"] or "0"
    if not years_text.isdigit():
        errors["quantitative_research_years"] = "Enter the years as a whole number, like 2"
    if values["degree_quantitative"] not in ("yes", "no"):
        errors["degree_quantitative"] = (
            "Say whether your degree included a significant amount of mathematics or statistics"
        )
    if errors:
        return _page(request, values, errors, status=422)
    token, verified = await verified_token(request)
    if not verified:
        return _page(request, values, {}, status=403, unverified=True)
    platform: Platform = request.app.state.platform
    status, body = await platform.post(
        "accreditation",
        "/v1/researchers",
        token=token,
        json={
            "name": values["name"],
            "email": values["email"],
            "qualifications": {
                "degree": values["degree"] or "none",
                "degree_quantitative": values["degree_quantitative"] == "yes",
                "quantitative_research_years": int(years_text),
            },
        },
    )
    if status in (201, 409):  # registered now, or already
        return RedirectResponse("/dashboard", status_code=303)
    body = body if isinstance(body, dict) else {}
    for error in body.get("errors") or []:
        field = FIELDS.get(str(error.get("field")))
        if field is not None:
            errors.setdefault(field, _sentence(field, str(error.get("message", ""))))
    if not errors:
        errors["name"] = problem_detail(body, "The profile could not be registered")
    return _page(request, values, errors, status=422)


def _sentence(field: str, message: str) -> str:
    """The API's validation message in the words a person expects."""
    plain = {
        "name": "Enter your full name",
        "email": "Enter an e-mail address like name@example.ac.uk",
        "degree": "Choose your highest degree",
        "quantitative_research_years": "Enter the years as a whole number from 0 to 80",
    }
    return plain.get(field, message)
