"""Every portal page but the public ones refuses a signed-out visitor, every form refuses
a request without the session's CSRF token, and a researcher sees only their own data."""

from __future__ import annotations

from ..conftest import sign_in

# Open to anyone: the start page, the public registers, the sign-in hand-over, probes.
PUBLIC = {
    "/",
    "/register/researchers",
    "/register/projects",
    "/sign-in",
    "/auth/callback",
    "/healthz",
    "/readyz",
}


def routes(world) -> list[tuple[str, str]]:
    """Every route of the portal (its OpenAPI document, which the portal does not serve)."""
    paths = world["app"].openapi()["paths"]
    return sorted(
        (method.upper(), path) for path, operations in paths.items() for method in operations
    )


async def test_every_personal_page_sends_a_signed_out_visitor_to_sign_in(world):
    pages = [(m, p) for m, p in routes(world) if p not in PUBLIC]
    assert ("GET", "/dashboard") in pages and ("POST", "/profile/register") in pages
    for method, path in pages:
        response = await world["portal"].request(method, path)
        if method == "GET":
            assert response.status_code == 303, (path, response.status_code)
            assert response.headers["location"].startswith("/sign-in?next="), path
        else:  # a form post with no session: refused before anything happens
            assert response.status_code in (303, 403), (method, path, response.status_code)


async def test_every_form_refuses_a_post_without_the_csrf_token(world):
    await sign_in(world)
    posts = [p for m, p in routes(world) if m == "POST"]
    assert "/sign-out" in posts
    for path in posts:
        response = await world["portal"].post(path, data={"name": "x"})
        assert response.status_code == 403, (path, response.status_code)
    assert (await world["portal"].get("/dashboard")).status_code == 200  # still signed in


async def test_a_researcher_sees_only_their_own_profile(world):
    tokens = world["tokens"]
    bob = tokens.headers("researcher", sub="bob", researcher_id="res-bob", org="org-ntu")
    registered = await world["accreditation"].post(
        "/v1/researchers",
        headers=bob,
        json={
            "name": "Bob Example",
            "email": "bob@example.ac.uk",
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 2,
            },
        },
    )
    assert registered.status_code == 201, registered.text
    await sign_in(world)  # alice, who has not registered
    dashboard = await world["portal"].get("/dashboard")
    assert "You have not registered your researcher profile yet" in dashboard.text
    assert "Bob Example" not in dashboard.text and "bob@example" not in dashboard.text
