"""Rendering pages: the Jinja2 environment (the portal's templates and GOV.UK Frontend's
macros), and who may see a personal page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from srs_portal.security import csp_nonce, csrf_token
from srs_portal.settings import HERE

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.loader = ChoiceLoader(
    [
        FileSystemLoader(HERE / "templates"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
    ]
)
templates.env.globals.update(csrf_token=csrf_token, csp_nonce=csp_nonce)

STATUS_TAGS = {
    "current": "green",
    "approved": "green",
    "active": "green",
    "submitted": "blue",
    "resubmitted": "blue",
    "under_review": "blue",
    "information_requested": "yellow",
    "draft": "grey",
    "withdrawn": "grey",
    "expired": "grey",
    "suspended": "orange",
    "revoked": "red",
    "rejected": "red",
}
templates.env.globals["status_colour"] = lambda status: STATUS_TAGS.get(str(status), "grey")
templates.env.filters["words"] = lambda value: str(value or "").replace("_", " ")


def named(name: object, ref: object) -> Markup:
    """Someone or something by name, its id after it in small print as a reference (for
    staff to quote); the id alone only while the service has not learnt the name."""
    if not ref:
        return Markup(escape(str(name or "")))
    small = Markup('<span class="govuk-body-s srs-ref">{}</span>').format(ref)
    if not name or name == ref:
        return small
    return Markup("{} {}").format(name, small)


def all_named(ids: list[Any] | None, names: dict[str, Any] | None) -> Markup:
    """Several ids by name (``named`` each), comma-separated, as a resource's ``names``
    map gives them."""
    known = names or {}
    return Markup(", ").join(named(known.get(str(i)), i) for i in ids or [])


def member_name(members: list[dict[str, Any]] | None, researcher_id: object) -> str | None:
    """The name a project gives one of its members (``members`` as the projects API
    answers them), if it knows one."""
    for member in members or []:
        if member.get("researcher_id") == researcher_id:
            return member.get("name")
    return None


templates.env.globals.update(named=named, all_named=all_named, member_name=member_name)


def problem_detail(problem: Any, fallback: str) -> str:
    """A service's refusal (problem+json) as a person reads it: its ``detail``, with the
    state and action a refused transition names (``information_requested``) in words."""
    if not isinstance(problem, dict) or not problem.get("detail"):
        return fallback
    detail = str(problem["detail"])
    for key in ("current_state", "action"):
        value = problem.get(key)
        if isinstance(value, str) and "_" in value:
            detail = detail.replace(value, value.replace("_", " "))
    return detail


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200
) -> HTMLResponse:
    user = request.session.get("user")
    return templates.TemplateResponse(
        request, name, {"user": user, **(context or {})}, status_code=status
    )


def local_path(value: str | None) -> str:
    """Only a path on the portal itself is a place to return to (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/dashboard"


def signed_in_user(request: Request) -> dict[str, Any]:
    user = request.session.get("user")
    if not user:
        raise SignInRequired(request.url.path)
    return dict(user)


class SignInRequired(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


SignedIn = Annotated[dict[str, Any], Depends(signed_in_user)]
