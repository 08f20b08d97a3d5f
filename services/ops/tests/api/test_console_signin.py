"""The console signs operators in through the real OIDC provider (the access app,
in-process): the redirect with PKCE, the callback (a wrong state refused), the session
cookie's flags, the role refusal, the console's API calls carried by the session (CSRF
on changes), an ended session answered with a way back in, and sign-out."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import update

from srs_access.seed import seed_catalogue, seed_demo_users
from srs_ops.console.sessions import COOKIE
from srs_ops.models import ConsoleSession

OPS = "http://ops.test"
PROVIDER = "http://access.test"
SECRET = "console-test-secret"
CALLBACK = f"{OPS}/console/auth/callback"


class Hosts(httpx.AsyncBaseTransport):
    """Each host name to an in-process app."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


@pytest.fixture
async def world(service_client) -> AsyncIterator[dict[str, Any]]:
    async with (
        service_client(
            "access",
            console_client_secret=SECRET,
            console_redirect_uris=[CALLBACK],
            console_post_logout_redirect_uris=[f"{OPS}/console"],
        ) as access,
        service_client(
            "ops", public_url=OPS, oidc_issuer_url=PROVIDER, console_client_secret=SECRET
        ) as ops,
    ):
        async with access.runtime.db.transaction() as session:
            await seed_catalogue(session)
            await seed_demo_users(session)
        hosts = Hosts({"access.test": access.app, "ops.test": ops.app})
        ops.app.state.console_provider_transport = hosts
        async with (
            httpx.AsyncClient(transport=hosts, base_url=OPS) as browser_ops,
            httpx.AsyncClient(transport=hosts, base_url=PROVIDER) as browser_provider,
        ):
            yield {"ops": browser_ops, "provider": browser_provider, "app": ops, "access": access}


def form_token(page: httpx.Response) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def start_sign_in(world: dict[str, Any]) -> httpx.Response:
    """The console's sign-in link: a redirect to the provider's authorization endpoint."""
    response = await world["ops"].get("/console/sign-in")
    assert response.status_code in (302, 303), response.text
    return response


async def at_provider(world: dict[str, Any], redirect: httpx.Response, username: str) -> str:
    """Sign in on the provider's page; the address it sends the browser back to."""
    provider: httpx.AsyncClient = world["provider"]
    page = await provider.get(redirect.headers["location"])
    assert page.status_code == 200, page.text
    params = parse_qs(urlsplit(redirect.headers["location"]).query)
    fields = {k: v[0] for k, v in params.items()}
    answer = await provider.post(
        "/oidc/authorize",
        data={
            **fields,
            "username": username,
            "password": f"{username}-demo",
            "form_token": form_token(page),
        },
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def signed_in(world: dict[str, Any], username: str = "ops") -> httpx.Response:
    back = await at_provider(world, await start_sign_in(world), username)
    return await world["ops"].get(back)


def csrf_of(page: httpx.Response) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


async def test_the_sign_in_link_goes_to_the_provider_with_pkce_s256(world):
    response = await start_sign_in(world)
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{PROVIDER}/oidc/authorize"
    query = parse_qs(target.query)
    assert query["client_id"] == ["srs-ops-console"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0]


async def test_without_a_session_the_console_offers_sign_in_and_the_api_refuses(world):
    page = await world["ops"].get("/console")
    assert page.status_code == 200
    assert 'href="/console/sign-in"' in page.text and "csrf-token" not in page.text
    assert (await world["ops"].get("/v1/events")).status_code == 401


async def test_an_operator_signs_in_and_the_console_calls_the_api_without_a_token(world):
    response = await signed_in(world, "ops")
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    console = await world["ops"].get("/console")
    assert console.status_code == 200
    # The operator by name (the demo ops login has one), then the role.
    assert "Jo Ellis (ops)" in console.text and "sign-out" in console.text
    assert 'src="/console/static/console.js"' in console.text
    assert "<script>" not in console.text  # no inline script under the page's policy
    events = await world["ops"].get("/v1/events")
    assert events.status_code == 200 and events.json()["items"] == []


async def test_a_wrong_state_at_the_callback_is_refused(world):
    redirect = await start_sign_in(world)
    back = await at_provider(world, redirect, "ops")
    forged = re.sub(r"state=[^&]+", "state=forged-state", back)
    response = await world["ops"].get(forged)
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.text
    assert "set-cookie" not in response.headers or "Max-Age=0" in response.headers["set-cookie"]
    assert (await world["ops"].get("/v1/events")).status_code == 401


async def test_a_callback_in_another_browser_is_refused(world):
    """A code meant for one browser's pending sign-in is useless in another."""
    back = await at_provider(world, await start_sign_in(world), "ops")
    async with httpx.AsyncClient(transport=world["ops"]._transport, base_url=OPS) as other:
        response = await other.get(back)
        assert response.status_code == 400
        assert (await other.get("/v1/events")).status_code == 401


@pytest.mark.parametrize("username", ["alice", "panel", "checker", "owner"])
async def test_anyone_without_role_ops_or_support_sees_a_refusal_page(world, username):
    response = await signed_in(world, username)
    assert response.status_code == 403
    assert "You cannot use the operations console" in response.text
    assert "set-cookie" not in response.headers or "Max-Age=0" in response.headers["set-cookie"]
    page = await world["ops"].get("/console")
    assert "csrf-token" not in page.text
    assert (await world["ops"].get("/v1/events")).status_code == 401


async def test_the_ops_role_may_read_but_not_replay_through_the_console(world):
    await signed_in(world, "ops")
    csrf = csrf_of(await world["ops"].get("/console"))
    refused = await world["ops"].post(
        "/v1/dead-letters/1/replay", json={"reason": "try it"}, headers={"X-CSRF-Token": csrf}
    )
    assert refused.status_code == 403
    assert "support" in refused.json()["detail"]


async def test_a_change_through_the_session_needs_the_csrf_token(world):
    await signed_in(world, "support")
    csrf = csrf_of(await world["ops"].get("/console"))
    without = await world["ops"].post("/v1/dead-letters/999/discard", json={"reason": "none"})
    assert without.status_code == 403 and "CSRF" in without.json()["detail"]
    wrong = await world["ops"].post(
        "/v1/dead-letters/999/discard", json={"reason": "none"}, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    right = await world["ops"].post(
        "/v1/dead-letters/999/discard", json={"reason": "none"}, headers={"X-CSRF-Token": csrf}
    )
    assert right.status_code == 404  # past the session: the API's own answer


async def test_a_bearer_token_still_works_for_scripts(world, tokens):
    response = await world["ops"].get("/v1/events", headers=tokens.headers("ops"))
    assert response.status_code == 200


async def expire_tokens(world: dict[str, Any], refresh_token: str | None) -> None:
    """Every console session's access token past its expiry, its refresh token replaced."""
    async with world["app"].runtime.db.transaction() as session:
        for row in (await session.execute(ConsoleSession.__table__.select())).all():
            data = dict(row.data)
            data["tokens"] = {**data["tokens"], "expires_at": 0, "refresh_token": refresh_token}
            await session.execute(
                update(ConsoleSession)
                .where(ConsoleSession.id_hash == row.id_hash)
                .values(data=data)
            )


async def test_an_expired_access_token_is_refreshed_without_the_operator(world):
    await signed_in(world, "ops")
    async with world["app"].runtime.db.transaction() as session:
        row = (await session.execute(ConsoleSession.__table__.select())).one()
    await expire_tokens(world, row.data["tokens"]["refresh_token"])
    assert (await world["ops"].get("/v1/events")).status_code == 200
    async with world["app"].runtime.db.transaction() as session:
        after = (await session.execute(ConsoleSession.__table__.select())).one()
    assert after.data["tokens"]["expires_at"] > 0
    assert after.data["tokens"]["refresh_token"] != row.data["tokens"]["refresh_token"]


async def test_an_expired_session_the_provider_will_not_renew_asks_to_sign_in_again(world):
    await signed_in(world, "ops")
    await expire_tokens(world, "revoked-refresh-token")
    response = await world["ops"].get("/v1/events")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["title"] == "Sign in again" and body["sign_in"] == "/console/sign-in"
    # The session is gone: the console page offers sign-in with the reason.
    page = await world["ops"].get("/console")
    assert page.status_code == 200 and 'href="/console/sign-in"' in page.text
    assert "csrf-token" not in page.text


async def test_an_expired_session_on_reload_says_so(world):
    await signed_in(world, "ops")
    await expire_tokens(world, None)
    page = await world["ops"].get("/console")
    assert "Your sign-in has expired" in page.text and 'href="/console/sign-in"' in page.text


async def test_sign_out_ends_the_session_here_and_at_the_provider(world):
    await signed_in(world, "ops")
    csrf = csrf_of(await world["ops"].get("/console"))
    forged = await world["ops"].post("/console/sign-out", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert (await world["ops"].get("/v1/events")).status_code == 200
    response = await world["ops"].post("/console/sign-out", data={"csrf": csrf})
    assert response.status_code == 303
    target = urlsplit(response.headers["location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{PROVIDER}/oidc/logout"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{OPS}/console"] and query["id_token_hint"]
    assert (await world["ops"].get("/v1/events")).status_code == 401
    back = await world["provider"].get(response.headers["location"])
    assert back.status_code == 303 and back.headers["location"] == f"{OPS}/console"


async def test_a_forged_or_unsigned_cookie_is_no_session(world):
    world["ops"].cookies.set(COOKIE, "made-up-session-id")
    assert (await world["ops"].get("/v1/events")).status_code == 401
    page = await world["ops"].get("/console")
    assert 'href="/console/sign-in"' in page.text


async def test_the_app_built_from_the_spec_alone_has_the_console(service_settings):
    """`python -m srs_ops serve` builds the app from the spec, without create_app."""
    from srs_common.app import create_service_app
    from srs_common.testing import asgi_client
    from srs_ops.app import spec

    app = create_service_app(spec(), service_settings("ops"))
    async with asgi_client(app) as client:
        page = await client.get("/console")
        assert page.status_code == 200 and 'href="/console/sign-in"' in page.text
        script = await client.get("/console/static/console.js")
        assert script.status_code == 200
        assert script.headers["content-type"].startswith("text/javascript")
        assert (await client.get("/console/static/../settings.py")).status_code == 404
        client.cookies.set(COOKIE, "unsigned")
        assert (await client.get("/v1/events")).status_code == 401
