"""The portal: server-rendered pages (GOV.UK Frontend through govuk-frontend-jinja, htmx)
over the platform's REST APIs, signing people in with OpenID Connect."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

import httpx
from authlib.integrations.base_client.errors import OAuthError
from fastapi import Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from srs_common.config import check_secrets
from srs_common.db import Database
from srs_common.errors import AppError
from srs_common.observability import configure_logging
from srs_portal import accreditation as accreditation_pages
from srs_portal import apply as apply_pages
from srs_portal import (
    attention,
    member_requests,
    notifications,
    output_actions,
    project_actions,
    requirement_forms,
)
from srs_portal import bookings as booking_pages
from srs_portal import help as help_pages
from srs_portal import homeworking as home_working_pages
from srs_portal import ingestion as ingestion_pages
from srs_portal import linkage as linkage_pages
from srs_portal import outputs as output_pages
from srs_portal import profile as profile_pages
from srs_portal import projects as project_pages
from srs_portal.pages import SignedIn, SignInRequired, local_path, render
from srs_portal.platform import Platform, SignInAgain
from srs_portal.security import SecurityHeaders, require_csrf
from srs_portal.sessions import ROTATE, SessionMiddleware, SessionStore
from srs_portal.settings import PortalSettings
from srs_portal.signin import access_token, provider_client, session_tokens
from srs_portal.staff import WORKSPACES, staff_roles
from srs_portal.staff import checking as checking_pages
from srs_portal.staff import helpdesk as helpdesk_pages
from srs_portal.staff import owners as owner_pages
from srs_portal.staff import panel as panel_pages
from srs_portal.staff import panel_projects as panel_project_pages
from srs_portal.staff import support as support_pages
from srs_portal.staff import support_catalogue as support_catalogue_pages
from srs_portal.staff import support_ingestion as support_ingestion_pages
from srs_portal.staff import support_linkage as support_linkage_pages
from srs_portal.staff import support_projects as support_project_pages
from srs_portal.staff import support_sites as support_site_pages

log = logging.getLogger(__name__)

# Applications still in the panel's or the applicant's hands.
PENDING = ("draft", "submitted", "information_requested", "resubmitted")


def create_app(
    settings: PortalSettings | None = None,
    *,
    provider_transport: httpx.AsyncBaseTransport | None = None,
    platform_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The portal app. The transports let tests run the provider and the services
    in-process; a running portal reaches them over HTTP."""
    settings = settings or PortalSettings()
    configure_logging(
        "portal", level=settings.platform.log_level, json_logs=settings.platform.log_json
    )
    check_secrets(settings)
    store = SessionStore(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url, service="portal", pool_size=settings.db_pool_size)
        store.db = app.state.db = db
        app.state.platform = Platform(
            settings.service_urls, settings.api_timeout_seconds, platform_transport
        )
        sweeper = asyncio.create_task(
            store.purge_forever(settings.session_purge_seconds), name="session-purge"
        )
        try:
            yield
        finally:
            sweeper.cancel()
            await app.state.platform.close()
            await db.dispose()

    app = FastAPI(
        title="SRS portal", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None
    )
    app.state.settings = settings
    app.state.sessions = store
    app.state.provider = provider_client(settings, provider_transport)
    # Outermost last: headers see the session the session middleware loaded.
    app.add_middleware(SessionMiddleware, store=store)
    app.add_middleware(SecurityHeaders, provider=settings.oidc_issuer_url)
    if settings.static_dir.is_dir():
        app.mount("/assets", StaticFiles(directory=settings.static_dir), name="assets")

    @app.exception_handler(SignInRequired)
    async def _sign_in_first(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse("/sign-in?" + urlencode({"next": exc.path}), status_code=303)

    @app.exception_handler(SignInAgain)
    async def _sign_in_again(request: Request, exc: SignInAgain) -> Response:
        request.session.clear()
        return RedirectResponse(
            "/sign-in?" + urlencode({"next": request.url.path}), status_code=303
        )

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return render(
            request, "error.html", {"title": exc.title, "detail": exc.detail}, status=exc.status
        )

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": "portal"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        return render(request, "home.html")

    @app.get("/register/researchers", response_class=HTMLResponse)
    async def researcher_register(
        request: Request, q: Annotated[str | None, Query(max_length=200)] = None
    ) -> Response:
        page = await request.app.state.platform.get(
            "accreditation", "/v1/register", params={"q": q} if q else None
        )
        return render(
            request,
            "register_researchers.html",
            {
                "entries": (page or {}).get("items", []),
                "q": q or "",
                "organisations": await request.app.state.platform.organisation_names(),
            },
        )

    @app.get("/register/projects", response_class=HTMLResponse)
    async def project_register(
        request: Request, q: Annotated[str | None, Query(max_length=200)] = None
    ) -> Response:
        page = await request.app.state.platform.get(
            "projects", "/v1/register/projects", params={"q": q} if q else None
        )
        return render(
            request,
            "register_projects.html",
            {
                "entries": (page or {}).get("items", []),
                "q": q or "",
                "organisations": await request.app.state.platform.organisation_names(),
            },
        )

    @app.get("/sign-in")
    async def sign_in(
        request: Request, next: Annotated[str | None, Query(max_length=500)] = None
    ) -> Response:
        request.session["next"] = local_path(next)
        return await request.app.state.provider.authorize_redirect(  # type: ignore[no-any-return]
            request, settings.redirect_uri
        )

    @app.get("/auth/callback", response_class=HTMLResponse)
    async def callback(request: Request) -> Response:
        try:
            token = await request.app.state.provider.authorize_access_token(request)
        except OAuthError as exc:
            log.info("sign-in refused at the callback: %s", exc.error)
            return render(
                request,
                "error.html",
                {
                    "title": "Sign-in did not complete",
                    "detail": "The sign-in could not be completed. Start again from the sign-in "
                    "link.",
                },
                status=400,
            )
        claims = token.get("userinfo") or {}
        next_path = request.session.get("next", "/dashboard")
        # A new session id for the signed-in person (against session fixation).
        request.scope[ROTATE] = True
        request.session.clear()
        request.session["user"] = {
            "sub": claims.get("sub"),
            "name": claims.get("name") or claims.get("sub"),
            "email": claims.get("email"),
            "researcher_id": claims.get("researcher_id"),
            "roles": claims.get("roles", []),
            "org": claims.get("org"),
        }
        request.session["tokens"] = session_tokens(token)
        return RedirectResponse(local_path(next_path), status_code=303)

    @app.post("/sign-out", dependencies=[Depends(require_csrf)])
    async def sign_out(request: Request) -> Response:
        tokens = request.session.get("tokens") or {}
        request.session.clear()
        metadata = await request.app.state.provider.load_server_metadata()
        end_session = metadata.get("end_session_endpoint")
        if not end_session:
            return RedirectResponse("/", status_code=303)
        params = {
            "post_logout_redirect_uri": settings.after_sign_out_url,
            "client_id": settings.oidc_client_id,
        }
        if tokens.get("id_token"):
            params["id_token_hint"] = tokens["id_token"]
        return RedirectResponse(f"{end_session}?{urlencode(params)}", status_code=303)

    app.include_router(profile_pages.router)
    app.include_router(apply_pages.router)
    app.include_router(accreditation_pages.router)
    app.include_router(project_pages.router)
    app.include_router(output_pages.router)
    app.include_router(output_actions.router)
    app.include_router(project_actions.router)
    app.include_router(requirement_forms.router)
    app.include_router(notifications.router)
    app.include_router(member_requests.router)
    app.include_router(checking_pages.router)
    app.include_router(panel_pages.router)
    app.include_router(panel_project_pages.router)
    app.include_router(helpdesk_pages.router)
    app.include_router(support_pages.router)
    app.include_router(support_site_pages.router)
    app.include_router(support_catalogue_pages.router)
    app.include_router(support_ingestion_pages.router)
    app.include_router(support_linkage_pages.router)
    app.include_router(ingestion_pages.router)
    app.include_router(support_project_pages.router)
    app.include_router(owner_pages.router)
    app.include_router(booking_pages.router)
    app.include_router(home_working_pages.router)
    app.include_router(linkage_pages.router)
    app.include_router(help_pages.router)

    @app.get("/dashboard", response_class=HTMLResponse)
    async def dashboard(request: Request, user: SignedIn) -> Response:
        workspaces = [WORKSPACES[role] for role in staff_roles(user)]
        if workspaces and "researcher" not in (user.get("roles") or ()):
            # Staff only: their workspaces are the whole dashboard.
            return render(
                request, "staff/home.html", {"title": "Your dashboard", "workspaces": workspaces}
            )
        token = await access_token(request)
        platform: Platform = request.app.state.platform
        researcher_id = user.get("researcher_id")
        held: dict[str, Any] = {"profile": None, "accreditations": [], "applications": []}
        needs: list[attention.Attention] = []
        if researcher_id:
            held = await accreditation_pages.standing(request, token, researcher_id)
            today = dt.datetime.now(dt.UTC).date()
            needs = attention.from_accreditation(
                held["applications"], held["accreditations"], today
            )
            needs += await attention.from_outputs(platform, token)
            needs += await attention.from_bookings(platform, token)
        applications = held["applications"]
        return render(
            request,
            "dashboard.html",
            {
                "title": "Your dashboard",
                "profile": held["profile"],
                "accreditations": held["accreditations"],
                "applications": applications,
                # What needs the person's attention first, each with where to act.
                "attention": needs,
                "pending": [a for a in applications if a.get("status") in PENDING],
            },
        )

    @app.get("/dashboard/projects", response_class=HTMLResponse)
    async def dashboard_projects(request: Request, user: SignedIn) -> Response:
        """The dashboard's projects, as an htmx fragment (or a page of its own)."""
        token = await access_token(request)
        page = await request.app.state.platform.get("projects", "/v1/projects", token=token)
        projects = (page or {}).get("items", [])
        if request.headers.get("hx-request"):
            return render(request, "_projects.html", {"projects": projects})
        return render(request, "projects.html", {"projects": projects})

    return app
