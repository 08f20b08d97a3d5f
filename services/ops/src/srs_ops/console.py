"""The web console: one server-rendered page; every action it takes goes through the
same authorised API with the operator's token."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=Path(__file__).with_name("templates"))
router = APIRouter(tags=["console"])


@router.get(
    "/console",
    response_class=HTMLResponse,
    summary="The operations console (HTML)",
    responses={200: {"content": {"text/html": {"example": "<!doctype html>..."}}}},
)
async def console_page(request: Request) -> HTMLResponse:
    """The operators' web console: one HTML page over this service's API (events, sagas, lag, dead
    letters)."""
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request, "console.html", {"retention_days": settings.retention_days}
    )
