"""What the panel's, support's and data owners' portal tests share: applications and
projects made through the real APIs, and the check that a staff page refuses everyone
without its role."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from srs_common.contracts.accreditation import AccreditationGranted

from ..conftest import sign_in

TODAY = dt.datetime.now(dt.UTC).date()
# Every demo login, by the role it holds (see srs_access.seed).
STAFF = {"panel": "panel", "checker": "checker", "support": "support", "ops": "ops"}
EVERYONE = ("alice", "panel", "checker", "support", "ops", "owner")


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def researcher(world, researcher_id: str = "res-alice", sub: str = "alice") -> dict[str, str]:
    return world["tokens"].headers(
        "researcher", sub=sub, researcher_id=researcher_id, org="org-ntu"
    )


async def profile(world, researcher_id: str, name: str, sub: str) -> None:
    registered = await world["accreditation"].post(
        "/v1/researchers",
        headers=researcher(world, researcher_id, sub),
        json={
            "name": name,
            "email": f"{sub}@ntu.example",
            "qualifications": {
                "degree": "masters",
                "degree_quantitative": True,
                "quantitative_research_years": 2,
            },
        },
    )
    assert registered.status_code == 201, registered.text


async def accreditation_application(
    world, researcher_id: str, name: str, sub: str, statement: str = ""
) -> str:
    """A registered researcher's full accreditation application, submitted."""
    await profile(world, researcher_id, name, sub)
    headers = researcher(world, researcher_id, sub)
    trained = (TODAY - dt.timedelta(days=30)).isoformat()
    drafted = await world["accreditation"].post(
        "/v1/applications",
        headers=headers,
        json={"kind": "full", "training_completed_on": trained, "statement": statement},
    )
    assert drafted.status_code == 201, drafted.text
    application_id = drafted.json()["id"]
    submitted = await world["accreditation"].post(
        f"/v1/applications/{application_id}/submit", headers=headers
    )
    assert submitted.status_code == 200, submitted.text
    return str(application_id)


async def accredit_in_projects(world, deliver, researcher_id: str) -> None:
    await deliver(
        world["projects"],
        AccreditationGranted(
            accreditation_id=f"acc-{researcher_id}",
            researcher_id=researcher_id,
            organisation_id="org-ntu",
            kind="full",
            status="current",
            valid_from=TODAY - dt.timedelta(days=10),
            valid_until=TODAY + dt.timedelta(days=1000),
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject=researcher_id,
        source="/srs/accreditation",
    )


async def project_application(world, deliver, title: str, **overrides: Any) -> str:
    """Alice's project application, submitted to the panel."""
    await accredit_in_projects(world, deliver, "res-alice")
    body = {
        "title": title,
        "lay_summary": "Which home security measures protect against burglary.",
        "public_benefit": "Evidence for crime prevention advice.",
        "legal_gateway": "DEA",
        "dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
        "expected_start_date": (TODAY + dt.timedelta(days=30)).isoformat(),
        "expected_end_date": (TODAY + dt.timedelta(days=400)).isoformat(),
        "ethics_confirmed": True,
        "data_source_acknowledged": True,
        "priority_requested": True,
        "linkage": {"idbr": {"method": "names_addresses", "charge_accepted": True}},
        **overrides,
    }
    drafted = await world["projects"].post("/v1/projects", headers=researcher(world), json=body)
    assert drafted.status_code == 201, drafted.text
    project_id = drafted.json()["id"]
    submitted = await world["projects"].post(
        f"/v1/projects/{project_id}/submit", headers=researcher(world)
    )
    assert submitted.status_code == 200, submitted.text
    return str(project_id)


async def as_user(world, username: str) -> str:
    """Sign ``username`` in afresh; their session's CSRF token."""
    world["portal"].cookies.clear()
    done = await sign_in(world, username, f"{username}-demo")
    assert done.status_code == 303, done.text
    return csrf_of(await world["portal"].get("/dashboard"))


async def assert_only(
    world,
    allowed: str,
    pages: list[str],
    posts: list[tuple[str, dict[str, str]]],
    secrets: list[str],
) -> None:
    """Every other login gets 403 and none of ``secrets`` on each page and form; a
    signed-out visitor is sent to sign in; a form without the CSRF token is refused."""
    for username in EVERYONE:
        if username == allowed:
            continue
        csrf = await as_user(world, username)
        for path in pages:
            page = await world["portal"].get(path)
            assert page.status_code == 403, (username, path, page.status_code)
            assert "You cannot open this page" in page.text
            for secret in secrets:
                assert secret not in page.text, (username, path, secret)
        for path, data in posts:
            refused = await world["portal"].post(path, data={**data, "csrf_token": csrf})
            assert refused.status_code == 403, (username, path, refused.status_code)
            for secret in secrets:
                assert secret not in refused.text, (username, path, secret)
    await as_user(world, allowed)
    for path, data in posts:
        no_csrf = await world["portal"].post(path, data=data)
        assert no_csrf.status_code == 403, (path, no_csrf.text[:200])
    world["portal"].cookies.clear()
    for path in pages:
        visitor = await world["portal"].get(path)
        assert visitor.status_code == 303, path
        assert visitor.headers["location"].startswith("/sign-in?next=")
