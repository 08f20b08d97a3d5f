"""The portal in-process: sign-in with the real provider (code + PKCE), the refusal of a
wrong state, pages that refuse a signed-out visitor, CSRF, security headers, sign-out."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from srs_access.oidc.models import RefreshToken
from srs_common.db import utcnow
from srs_portal.models import PortalSession

from ..conftest import PORTAL, PROVIDER, sign_in, start_sign_in


async def test_a_signed_out_visitor_is_sent_to_sign_in(world):
    for path in ("/dashboard", "/dashboard/projects"):
        response = await world["portal"].get(path)
        assert response.status_code == 303
        assert response.headers["location"] == f"/sign-in?next=%2F{path[1:].replace('/', '%2F')}"


async def test_sign_in_with_code_and_pkce_reaches_the_dashboard(world):
    page = await start_sign_in(world)
    assert "code_challenge_method" in page.text and 'value="S256"' in page.text
    done = await sign_in(world)
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    cookie = done.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    dashboard = await world["portal"].get("/dashboard")
    assert dashboard.status_code == 200, dashboard.text
    assert "You have not registered your researcher profile yet" in dashboard.text
    assert dashboard.headers["cache-control"] == "no-store"
    projects = await world["portal"].get("/dashboard/projects", headers={"HX-Request": "true"})
    assert projects.status_code == 200
    assert "You are not a member of any project yet" in projects.text
    assert "<html" not in projects.text  # an htmx fragment, not a page


async def test_the_dashboard_shows_the_researchers_own_accreditation_status(world):
    tokens = world["tokens"]
    alice = tokens.headers("researcher", sub="alice", researcher_id="res-alice", org="org-ntu")
    registered = await world["accreditation"].post(
        "/v1/researchers",
        headers=alice,
        json={
            "name": "Alice Example",
            "email": "alice@example.ac.uk",
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 2,
            },
        },
    )
    assert registered.status_code == 201, registered.text
    await sign_in(world)
    dashboard = await world["portal"].get("/dashboard")
    assert "You are registered as Alice Example" in dashboard.text


async def test_a_wrong_state_at_the_callback_is_refused(world):
    await start_sign_in(world)  # the session holds the real state
    response = await world["portal"].get(
        "/auth/callback", params={"code": "stolen", "state": "forged"}
    )
    assert response.status_code == 400
    assert "Sign-in did not complete" in response.text
    assert (await world["portal"].get("/dashboard")).status_code == 303  # not signed in


async def test_a_callback_code_is_not_accepted_twice(world):
    page = await start_sign_in(world)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    posted = await world["provider"].post(
        "/oidc/authorize", data={**fields, "username": "alice", "password": "alice-demo"}
    )
    callback = posted.headers["location"]
    assert (await world["portal"].get(callback)).status_code == 303
    world["portal"].cookies.clear()
    replay = await world["portal"].get(callback)
    assert replay.status_code == 400


async def test_sign_out_without_the_csrf_token_is_refused(world):
    await sign_in(world)
    refused = await world["portal"].post("/sign-out", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "security token" in refused.text
    assert (await world["portal"].get("/dashboard")).status_code == 200  # still signed in


async def test_sign_out_with_the_token_ends_the_session_at_the_provider(world):
    await sign_in(world)
    dashboard = await world["portal"].get("/dashboard")
    token = re.search(r'name="csrf_token" value="([^"]+)"', dashboard.text).group(1)
    out = await world["portal"].post("/sign-out", data={"csrf_token": token})
    assert out.status_code == 303
    assert out.headers["location"].startswith(f"{PROVIDER}/oidc/logout?")
    back = await world["provider"].get(out.headers["location"])
    assert back.status_code == 303 and back.headers["location"] == f"{PORTAL}/"
    assert (await world["portal"].get("/dashboard")).status_code == 303


async def test_security_headers_and_a_csp_without_unsafe_inline(world):
    home = await world["portal"].get("/")
    policy = home.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    # The one inline script (GOV.UK's js-enabled flag) runs by this response's nonce.
    assert f'<script nonce="{nonce}">' in home.text
    assert home.headers["x-frame-options"] == "DENY"
    assert home.headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in home.headers.get("cache-control", "")  # public, nothing personal
    again = await world["portal"].get("/")
    assert re.search(r"'nonce-([^']+)'", again.headers["content-security-policy"]).group(1) != nonce


async def test_the_public_registers_need_no_sign_in(world):
    for path, heading in (
        ("/register/researchers", "Accredited researchers"),
        ("/register/projects", "Accredited projects"),
    ):
        response = await world["portal"].get(path)
        assert response.status_code == 200, response.text
        assert heading in response.text


async def test_sign_in_returns_only_to_a_portal_page(world):
    done = await sign_in(world, next_path="//evil.example/")
    assert done.headers["location"] == "/dashboard"


async def test_an_expiring_access_token_is_refreshed_and_the_refresh_token_rotated(make_world):
    # Access tokens of 20 s are always within the portal's 30 s refresh margin.
    async with make_world(token_ttl_seconds=20) as world:
        await sign_in(world)
        for _ in range(2):
            assert (await world["portal"].get("/dashboard")).status_code == 200
        async with world["access"].runtime.db.transaction() as session:
            rows = (
                await session.scalars(select(RefreshToken).where(RefreshToken.username == "alice"))
            ).all()
        assert len(rows) == 3  # the sign-in's, then one per refresh
        assert sum(row.rotated_at is None for row in rows) == 1  # only the newest is live
        assert all(row.revoked_at is None for row in rows)


async def test_a_refused_refresh_sends_the_person_to_sign_in_again(make_world):
    async with make_world(token_ttl_seconds=20) as world:
        await sign_in(world)
        async with world["access"].runtime.db.transaction() as session:
            await session.execute(update(RefreshToken).values(revoked_at=utcnow()))
        response = await world["portal"].get("/dashboard")
        assert response.status_code == 303
        assert response.headers["location"] == "/sign-in?next=%2Fdashboard"


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


async def test_a_researcher_registers_their_profile_from_the_portal(world):
    await sign_in(world)
    dashboard = await world["portal"].get("/dashboard")
    assert 'href="/profile/register"' in dashboard.text
    form = await world["portal"].get("/profile/register")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    values = {
        "name": "Alice Example",
        "email": "alice@example.ac.uk",
        "degree": "masters",
        "degree_quantitative": "yes",
        "quantitative_research_years": "2",
    }
    refused = await world["portal"].post("/profile/register", data=values)
    assert refused.status_code == 403  # no CSRF token
    wrong = await world["portal"].post(
        "/profile/register", data={**values, "email": "not-an-address", "csrf_token": csrf_of(form)}
    )
    assert wrong.status_code == 422
    assert "Enter an e-mail address like name@example.ac.uk" in wrong.text
    assert 'href="#email"' in wrong.text  # the error summary links to the field
    done = await world["portal"].post(
        "/profile/register", data={**values, "csrf_token": csrf_of(wrong)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    dashboard = await world["portal"].get("/dashboard")
    assert "You are registered as Alice Example" in dashboard.text
    # What the accreditation service now holds, under the identity's organisation.
    tokens = world["tokens"]
    read = await world["accreditation"].get(
        "/v1/researchers/res-alice",
        headers=tokens.headers("researcher", sub="alice", researcher_id="res-alice", org="org-ntu"),
    )
    assert read.json()["organisation_id"] == "org-ntu"


async def test_a_staff_account_has_no_profile_to_register(world):
    await sign_in(world, username="panel", password="panel-demo")
    response = await world["portal"].get("/profile/register")
    assert response.status_code == 403
    assert "staff account" in response.text


async def test_the_profile_form_refuses_a_signed_out_visitor(world):
    response = await world["portal"].get("/profile/register")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=%2Fprofile%2Fregister"


async def test_an_idle_session_expires_and_is_purged(world):
    await sign_in(world)
    store = world["app"].state.sessions
    async with store.db.transaction() as session:
        await session.execute(
            update(PortalSession).values(expires_at=utcnow() - dt.timedelta(seconds=1))
        )
    assert await store.purge_expired() == 1
    assert (await world["portal"].get("/dashboard")).status_code == 303  # signed out


async def test_the_dashboard_puts_the_panels_question_first(world):
    tokens = world["tokens"]
    alice = tokens.headers("researcher", sub="alice", researcher_id="res-alice", org="org-ntu")
    accreditation = world["accreditation"]
    assert (
        await accreditation.post(
            "/v1/researchers",
            headers=alice,
            json={
                "name": "Alice Example",
                "email": "alice@example.ac.uk",
                "qualifications": {
                    "degree": "masters",
                    "degree_quantitative": True,
                    "quantitative_research_years": 2,
                },
            },
        )
    ).status_code == 201
    drafted = await accreditation.post(
        "/v1/applications",
        headers=alice,
        json={"kind": "full", "training_completed_on": "2026-10-01", "statement": "Criminologist"},
    )
    assert drafted.status_code == 201, drafted.text
    url = f"/v1/applications/{drafted.json()['id']}"
    assert (await accreditation.post(f"{url}/submit", headers=alice)).status_code == 200
    asked = await accreditation.post(
        f"{url}/request-information",
        headers=tokens.headers("panel", sub="panel-1"),
        json={"reason": "Which datasets have you analysed?"},
    )
    assert asked.status_code == 200, asked.text
    await sign_in(world)
    dashboard = await world["portal"].get("/dashboard")
    assert 'id="attention"' in dashboard.text
    assert "Which datasets have you analysed?" in dashboard.text
    assert dashboard.text.index("Needs your attention") < dashboard.text.index(
        "Your dashboard</h1>"
    )
    assert "Information requested" in dashboard.text  # the application's status, in words


async def registered_alice(world) -> None:
    alice = world["tokens"].headers(
        "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
    )
    assert (
        await world["accreditation"].post(
            "/v1/researchers",
            headers=alice,
            json={
                "name": "Alice Example",
                "email": "alice@example.ac.uk",
                "qualifications": {
                    "degree": "masters",
                    "degree_quantitative": True,
                    "quantitative_research_years": 2,
                },
            },
        )
    ).status_code == 201


async def test_a_registered_researcher_applies_for_accreditation(world):
    await registered_alice(world)
    await sign_in(world)
    dashboard = await world["portal"].get("/dashboard")
    assert 'href="/accreditation/apply"' in dashboard.text
    form = await world["portal"].get("/accreditation/apply")
    assert form.status_code == 200
    values = {
        "kind": "full",
        "training-day": "1",
        "training-month": "10",
        "training-year": "2026",
        "statement": "Criminologist",
    }
    assert (await world["portal"].post("/accreditation/apply", data=values)).status_code == 403
    bad_date = await world["portal"].post(
        "/accreditation/apply", data={**values, "training-month": "13", "csrf_token": csrf_of(form)}
    )
    assert bad_date.status_code == 422
    assert "Enter the date you completed safe researcher training" in bad_date.text
    future = await world["portal"].post(
        "/accreditation/apply",
        data={**values, "training-year": "2099", "csrf_token": csrf_of(form)},
    )
    assert future.status_code == 422
    # The accreditation service's own reason, in its words, against the date.
    assert "the safe researcher training date is in the future" in future.text
    assert 'href="#training"' in future.text
    done = await world["portal"].post(
        "/accreditation/apply", data={**values, "csrf_token": csrf_of(form)}
    )
    assert done.status_code == 303 and done.headers["location"] == "/dashboard"
    dashboard = await world["portal"].get("/dashboard")
    assert "Submitted" in dashboard.text
    assert 'href="/accreditation/apply"' not in dashboard.text  # one in progress already
    # The refused attempt's draft was completed and submitted, not left beside a second one.
    mine = await world["accreditation"].get(
        "/v1/applications",
        headers=world["tokens"].headers(
            "researcher", sub="alice", researcher_id="res-alice", org="org-ntu"
        ),
    )
    assert [a["status"] for a in mine.json()["items"]] == ["submitted"]
