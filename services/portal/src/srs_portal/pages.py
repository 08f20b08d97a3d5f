"""Rendering pages: the Jinja2 environment (the portal's templates and GOV.UK Frontend's
macros), and who may see a personal page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

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
