"""A researcher's e-mail notices (``{portal_url}/notifications`` in the notifier's
e-mails): every kind of e-mail they may receive, the decisions and answers that are always
sent, and the reminders they can turn off (``GET``/``PATCH
/v1/notification-preferences`` at the notify service). The notifier's delivery log is
for support staff only, so the page shows what will be sent, not a history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from srs_portal.pages import problem_detail, render
from srs_portal.platform import Platform
from srs_portal.profile import researcher
from srs_portal.security import require_csrf
from srs_portal.signin import access_token

router = APIRouter()


def _page(
    request: Request,
    notices: list[dict[str, Any]],
    *,
    saved: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "notifications.html",
        {
            "title": "Your e-mail notices",
            "always": [n for n in notices if not n.get("optional")],
            "optional": [n for n in notices if n.get("optional")],
            "saved": saved,
            "errors": errors or {},
        },
        status=status,
    )


async def _notices(request: Request, token: str) -> list[dict[str, Any]]:
    platform: Platform = request.app.state.platform
    preferences = await platform.get("notify", "/v1/notification-preferences", token=token)
    return list((preferences or {}).get("notices", []))


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(
    request: Request, saved: Annotated[int | None, Query(ge=0, le=1)] = None
) -> Response:
    researcher(request)
    token = await access_token(request)
    return _page(request, await _notices(request, token), saved=bool(saved))


@router.post("/notifications", response_class=HTMLResponse, dependencies=[Depends(require_csrf)])
async def save_notifications(request: Request) -> Response:
    researcher(request)
    token = await access_token(request)
    notices = await _notices(request, token)
    optional = [str(n["notice"]) for n in notices if n.get("optional")]
    form = await request.form()
    chosen = [str(v) for v in form.getlist("enabled")]
    if any(value not in optional for value in chosen):
        errors = {"enabled": "Choose only from the reminders listed"}
        return _page(request, notices, errors=errors, status=422)
    platform: Platform = request.app.state.platform
    status, body = await platform.send(
        "PATCH",
        "notify",
        "/v1/notification-preferences",
        token=token,
        json={"notices": {notice: notice in chosen for notice in optional}},
    )
    if status == 200:
        return RedirectResponse("/notifications?saved=1", status_code=303)
    errors = {"enabled": problem_detail(body, "Your choices could not be saved")}
    return _page(request, notices, errors=errors, status=422)
