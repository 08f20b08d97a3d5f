"""Staff logins' names for staff pages (who reviewed an output, who decided): staff read
them, researchers and partners are refused, and a researcher's login is never named."""

from __future__ import annotations

from srs_access.models import User
from srs_access.oidc.models import AccountProfile
from srs_access.seed import seed_demo_users

NAMES = "/v1/staff-names"


async def _seed(client) -> None:
    async with client.runtime.db.transaction() as session:
        await seed_demo_users(session)
        # A self-service researcher: a login with a profile, but no staff role.
        session.add(
            User(
                username="rita@uni.example",
                roles=["researcher"],
                researcher_id="res-rita",
                organisation_id=None,
                password_hash="x",
            )
        )
        session.add(AccountProfile(username="rita@uni.example", name="Rita R", email="r@u.ex"))


async def test_staff_read_the_names_of_staff_logins_and_nothing_else(client, tokens):
    await _seed(client)
    for role in ("checker", "panel", "support", "ops", "data_owner"):
        got = await client.get(
            NAMES,
            params=[("username", "checker"), ("username", "panel"), ("username", "nobody")],
            headers=tokens.headers(role),
        )
        assert got.status_code == 200, (role, got.text)
        assert got.json() == [
            {"username": "checker", "name": "Tom Okafor"},
            {"username": "panel", "name": "Priya Shah"},
        ]
        assert "@" not in got.text  # no address, only names


async def test_a_researchers_login_is_never_named(client, tokens):
    await _seed(client)
    got = await client.get(
        NAMES,
        params=[("username", "rita@uni.example"), ("username", "alice")],
        headers=tokens.headers("support"),
    )
    assert got.status_code == 200 and got.json() == []


async def test_researchers_partners_and_strangers_are_refused(client, tokens):
    await _seed(client)
    params = [("username", "checker")]
    researcher = tokens.headers("researcher", researcher_id="res-alice")
    assert (await client.get(NAMES, params=params, headers=researcher)).status_code == 403
    assert (await client.get(NAMES, params=params)).status_code == 401


async def test_asking_for_no_login_or_too_many_is_a_clear_422(client, tokens):
    staff = tokens.headers("checker")
    empty = await client.get(NAMES, headers=staff)
    assert empty.status_code == 422 and "username" in empty.text
    many = [("username", f"u{i}") for i in range(51)]
    assert (await client.get(NAMES, params=many, headers=staff)).status_code == 422
