"""Swagger UI and ReDoc pages, and their assets, served by the service itself.

Secure settings are often offline, so the pages load nothing from a CDN: the bundles come
from the ``fastapi-offline`` package (pinned by the lock file) and are answered under
``/docs/assets/``. The Content-Security-Policy of the pages (:mod:`srs_common.headers`)
allows ``'self'`` only.

Each page is served twice: at the root (``/docs``, ``/redoc``, ``/openapi.json``) and under
the service's own prefix (``/<service>/docs``, ...), which the ingress and the compose
gateway route to the service on the one API origin. The pages name their assets and the
OpenAPI document by relative URLs, so either copy finds its own.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse

from srs_common.errors import NotFound

ASSETS = files("fastapi_offline") / "static"
# What the pages load, by the name they are answered under.
ASSET_FILES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Swagger UI would otherwise show a badge fetched from validator.swagger.io.
SWAGGER_UI_PARAMETERS = {"validatorUrl": None}


def docs_router(app: FastAPI, prefixes: tuple[str, ...]) -> APIRouter:
    """The docs pages, their assets and the OpenAPI document under each of ``prefixes``
    (``""`` is the root)."""
    router = APIRouter(include_in_schema=False)

    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    async def swagger_ui(request: Request) -> HTMLResponse:
        base = request.url.path.rsplit("/docs", 1)[0]
        return get_swagger_ui_html(
            openapi_url="openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url="docs/assets/swagger-ui-bundle.js",
            swagger_css_url="docs/assets/swagger-ui.css",
            swagger_favicon_url="docs/assets/favicon.png",
            oauth2_redirect_url=f"{base}/docs/oauth2-redirect",
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), **SWAGGER_UI_PARAMETERS},
        )

    async def oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="openapi.json",
            title=f"{app.title} - ReDoc",
            redoc_js_url="docs/assets/redoc.standalone.js",
            redoc_favicon_url="docs/assets/favicon.png",
            with_google_fonts=False,
        )

    async def asset(name: str) -> FileResponse:
        if name not in ASSET_FILES:
            raise NotFound(f"no documentation asset {name!r}")
        path = ASSETS / name
        return FileResponse(
            str(path),
            media_type=ASSET_FILES[name],
            headers={"Cache-Control": "public, max-age=86400"},
        )

    for prefix in prefixes:
        pages: list[tuple[str, Any]] = [
            ("/openapi.json", openapi),
            ("/docs", swagger_ui),
            ("/docs/oauth2-redirect", oauth2_redirect),
            ("/redoc", redoc),
            ("/docs/assets/{name}", asset),
        ]
        for path, endpoint in pages:
            if prefix == "" and path == "/openapi.json":
                continue  # FastAPI's own
            router.add_api_route(f"{prefix}{path}", endpoint, methods=["GET"])
    return router
