"""Support staff's workspace in the portal, against the real accreditation, projects,
access, booking and clearance services: the search, revoking an accreditation and
watching it reach the researcher's memberships, accounts and bookings, a site closure and
the bookings it cancels, ingestion requests, the catalogue and organisations' agreements,
and who may not open any of it."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accreditation import AccreditationGranted, AccreditationRevoked

from .staff_world import TODAY, as_user, assert_only, csrf_of, profile, researcher
from .test_portal_bookings import TITLE, active_project, free_session

NOW = dt.datetime.now(dt.UTC)


async def accredited_alice(world) -> str:
    """Alice's full accreditation, granted by the panel at the accreditation service."""
    await profile(world, "res-alice", "Alice Example", "alice")
    trained = (TODAY - dt.timedelta(days=30)).isoformat()
    drafted = await world["accreditation"].post(
        "/v1/applications",
        headers=researcher(world),
        json={"kind": "full", "training_completed_on": trained},
    )
    application_id = drafted.json()["id"]
    await world["accreditation"].post(
        f"/v1/applications/{application_id}/submit", headers=researcher(world)
    )
    approved = await world["accreditation"].post(
        f"/v1/applications/{application_id}/approve",
        headers=world["tokens"].headers("panel", sub="panel-1"),
        json={"reason": "Meets the criteria."},
    )
    assert approved.status_code == 200, approved.text
    return str(approved.json()["accreditation_id"])


async def booked(world, project_id: str) -> dict:
    """A booking of Alice's at Titchfield, the declaration signed first."""
    booking = world["booking"]
    version = (await booking.get("/v1/declaration", headers=researcher(world))).json()["version"]
    signed = await booking.post(
        "/v1/declarations", headers=researcher(world), json={"version": version}
    )
    assert signed.status_code == 201, signed.text
    starts_at = await free_session(world)
    made = await booking.post(
        "/v1/bookings",
        headers=researcher(world),
        json={
            "project_id": project_id,
            "site_id": "titchfield",
            "place": "T1",
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + dt.timedelta(hours=1)).isoformat(),
        },
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


async def test_support_finds_a_researcher_a_project_and_a_booking(world, deliver):
    project_id = await active_project(world, deliver)
    await accredited_alice(world)
    booking = await booked(world, project_id)
    await as_user(world, "support")
    dashboard = await world["portal"].get("/dashboard")
    assert 'href="/support"' in dashboard.text
    empty = await world["portal"].get("/support")
    assert empty.status_code == 200 and 'id="results"' not in empty.text
    by_name = await world["portal"].get("/support", params={"q": "alice exa"})
    assert 'href="/support/researchers/res-alice"' in by_name.text
    assert "Alice Example" in by_name.text
    by_title = await world["portal"].get("/support", params={"q": "burglary"})
    assert TITLE in by_title.text and project_id in by_title.text
    by_booking = await world["portal"].get("/support", params={"q": booking["id"]})
    assert booking["id"] in by_booking.text[by_booking.text.index('id="found-bookings"') :]
    by_researcher = await world["portal"].get("/support", params={"q": "res-alice"})
    assert booking["id"] in by_researcher.text  # the researcher's bookings
    odd = await world["portal"].get("/support", params={"q": "../../v1/x?y=%"})
    assert odd.status_code == 200 and "No researcher matches." in odd.text


async def test_support_revokes_an_accreditation_and_sees_what_it_cascaded_to(world, deliver):
    project_id = await active_project(world, deliver)
    await deliver(  # the access service hears of Alice's accreditation: her account opens
        world["access"],
        AccreditationGranted(
            accreditation_id="acc-res-alice",
            researcher_id="res-alice",
            organisation_id="org-ntu",
            kind="full",
            status="current",
            valid_from=TODAY - dt.timedelta(days=10),
            valid_until=TODAY + dt.timedelta(days=1000),
            occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
        ),
        subject="res-alice",
        source="/srs/accreditation",
    )
    space = await world["access"].get(
        f"/v1/project-spaces/{project_id}",
        headers=world["tokens"].headers("support", sub="support-1"),
    )
    assert space.json()["accounts"][0]["enabled"] is True, space.text
    accreditation_id = await accredited_alice(world)
    booking = await booked(world, project_id)
    await as_user(world, "support")
    url = "/support/researchers/res-alice"
    page = await world["portal"].get(url)
    assert page.status_code == 200 and "Alice Example" in page.text
    assert 'hx-get="/support/researchers/res-alice/cascade"' in page.text
    form = f"{url}/accreditations/{accreditation_id}"
    missing = await world["portal"].post(
        form, data={"action": "revoke", "csrf_token": csrf_of(page)}
    )
    assert missing.status_code == 422
    assert (
        "There is a problem" in missing.text and "Enter the reason for the change" in missing.text
    )
    revoked = await world["portal"].post(
        form,
        data={
            "action": "revoke",
            "reason": "Breach of the output rules.",
            "csrf_token": csrf_of(page),
        },
    )
    assert revoked.status_code == 303
    assert revoked.headers["location"].startswith(url)
    page = await world["portal"].get(url)
    assert "Revoked" in page.text and "Breach of the output rules." in page.text
    # The other services have not heard yet: the fragment says so and polls itself.
    updating = await world["portal"].get(url + "/cascade", headers={"HX-Request": "true"})
    assert "Updating…" in updating.text and 'hx-trigger="load delay:1s"' in updating.text
    assert "<html" not in updating.text
    event = AccreditationRevoked(
        accreditation_id="acc-res-alice",
        researcher_id="res-alice",
        organisation_id="org-ntu",
        kind="full",
        status="revoked",
        valid_from=TODAY - dt.timedelta(days=10),
        valid_until=TODAY + dt.timedelta(days=1000),
        reason="Breach of the output rules.",
        occurred_at=dt.datetime.now(dt.UTC),
    )
    for service in ("projects", "access", "booking"):
        await deliver(world[service], event, subject="res-alice", source="/srs/accreditation")
    settled = await world["portal"].get(url + "/cascade", headers={"HX-Request": "true"})
    assert "Updating…" not in settled.text and "hx-trigger" not in settled.text
    assert "holds no current accreditation" in settled.text
    cancelled = settled.text[settled.text.index('id="cancelled-bookings"') :]
    assert "accreditation revoked: Breach of the output rules." in cancelled
    assert booking["starts_at"][:16].replace("T", " ") in cancelled
    projects = settled.text[settled.text.index('id="cascade-projects"') :]
    assert TITLE in projects and "Inactive: accreditation revoked" in projects
    assert "Disabled" in projects
    whole = await world["portal"].get(url + "/cascade")
    assert "<html" in whole.text and "What the accreditation reaches" in whole.text


async def test_support_announces_a_closure_and_sees_the_bookings_it_cancels(world, deliver):
    project_id = await active_project(world, deliver)
    booking = await booked(world, project_id)
    await as_user(world, "support")
    page = await world["portal"].get("/support/sites")
    assert page.status_code == 200 and "Titchfield" in page.text
    starts = dt.datetime.fromisoformat(booking["starts_at"].replace("Z", "+00:00"))
    local = starts.astimezone(dt.timezone(dt.timedelta(0))).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/London")
    )
    values = {
        "site_id": "titchfield",
        "kind": "closure",
        "day-day": str(local.day),
        "day-month": str(local.month),
        "day-year": str(local.year),
        # From the booking's start (at least two hours ahead: closures are announced in
        # advance), not from the opening hour, which may already have passed today.
        "from": local.strftime("%H:%M"),
        "to": (local + dt.timedelta(hours=1)).strftime("%H:%M"),
        "csrf_token": csrf_of(page),
    }
    missing = await world["portal"].post("/support/sites/announce", data=values)
    assert missing.status_code == 422 and "Enter the reason for the announcement" in missing.text
    backwards = await world["portal"].post(
        "/support/sites/announce",
        data={**values, "from": "16:00", "to": "09:00", "reason": "x" * 5},
    )
    assert backwards.status_code == 422 and "The end must be after the start" in backwards.text
    done = await world["portal"].post(
        "/support/sites/announce", data={**values, "reason": "Fire alarm testing"}
    )
    assert done.status_code == 200, done.text
    assert "1 booking(s) cancelled" in done.text
    assert booking["id"] in done.text[done.text.index('id="cancelled-bookings"') :]
    sites = await world["portal"].get("/support/sites")
    assert "Fire alarm testing" in sites.text


async def test_support_decides_ingestion_requests_with_a_reason(world, deliver):
    project_id = await active_project(world, deliver)
    asked = await world["access"].post(
        "/v1/ingestion-requests",
        headers=researcher(world),
        data={
            "project_id": project_id,
            "kind": "code",
            "description": "Stata do-files deriving the security indicators",
        },
        files=[
            ("files", ("derive.do", b"gen secure = 1\n", "text/plain")),
            ("files", ("helper", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32, "text/plain")),
        ],
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["id"]
    await as_user(world, "support")
    page = await world["portal"].get("/support/ingestion-requests")
    assert "Stata do-files deriving the security indicators" in page.text
    # The check's findings per file, in words.
    assert "Unknown program or binary" in page.text and "helper" in page.text
    assert TITLE in page.text  # the project by its title, the id in small print
    url = f"/support/ingestion-requests/{request_id}"
    missing = await world["portal"].post(
        url, data={"decision": "approve", "csrf_token": csrf_of(page)}
    )
    assert missing.status_code == 422 and "Enter the reason for the decision" in missing.text
    done = await world["portal"].post(
        url,
        data={"decision": "approve", "reason": "Own code, scanned.", "csrf_token": csrf_of(page)},
    )
    assert done.status_code == 303
    read = await world["access"].get(
        f"/v1/ingestion-requests/{request_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "approved" and read.json()["reason"] == "Own code, scanned."
    page = await world["portal"].get("/support/ingestion-requests")
    assert "No ingestion request is waiting." in page.text
    assert "Transfer into the project space" in page.text
    no_csrf = await world["portal"].post(f"{url}/transfer", data={})
    assert no_csrf.status_code in (400, 403)
    moved = await world["portal"].post(f"{url}/transfer", data={"csrf_token": csrf_of(page)})
    assert moved.status_code == 303
    read = await world["access"].get(
        f"/v1/ingestion-requests/{request_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "transferred"
    assert read.json()["transferred_to"] == f"{project_id}/ingested/{request_id}"


async def test_support_sees_the_catalogue_and_changes_an_agreement(world):
    await as_user(world, "support")
    page = await world["portal"].get("/support/catalogue")
    assert page.status_code == 200
    assert "Crime Survey for England and Wales 2019" in page.text
    assert "Safe setting, office or home" in page.text
    assert "Nottingham Trent University" in page.text and "current until 2028-03-31" in page.text
    # The Longitudinal Study's supplementary form, beside its dataset.
    assert "ONS Longitudinal Study" in page.text and "LS supplementary form" in page.text
    url = "/support/organisations/org-ntu/agreement"
    bad = await world["portal"].post(url, data={"until": "next year", "csrf_token": csrf_of(page)})
    assert bad.status_code == 422 and "Enter the agreement" in bad.text
    done = await world["portal"].post(
        url, data={"until": "2029-06-30", "csrf_token": csrf_of(page)}
    )
    assert done.status_code == 303
    read = await world["access"].get(
        "/v1/organisations/org-ntu", headers=world["tokens"].headers("support", sub="support-1")
    )
    assert read.json()["aoc_certified_until"] == "2029-06-30"
    dataset = "/support/datasets/ds-ashe-2021/settings"
    wrong = await world["portal"].post(
        dataset,
        data={"access_level": "home", "threshold": "ten", "csrf_token": csrf_of(page)},
    )
    assert wrong.status_code == 422 and "Enter the disclosure threshold" in wrong.text
    saved = await world["portal"].post(
        dataset,
        data={"access_level": "safe_setting", "threshold": "5", "csrf_token": csrf_of(page)},
    )
    assert saved.status_code == 303
    read = await world["access"].get("/v1/datasets/ds-ashe-2021", headers=researcher(world))
    assert read.json()["access_level"] == "safe_setting"
    assert read.json()["disclosure_threshold"] == 5
    assert read.json()["operational_id_columns"] == ["entref"]  # kept as it was
    missing = await world["portal"].post(
        "/support/organisations/org-nope/agreement", data={"until": "", "csrf_token": csrf_of(page)}
    )
    assert missing.status_code == 404


async def test_only_support_opens_its_workspace(world, deliver):
    await active_project(world, deliver)
    accreditation_id = await accredited_alice(world)
    reason = {"reason": "Breach of the output rules."}
    await assert_only(
        world,
        "support",
        pages=[
            "/support",
            "/support?q=alice",
            "/support/researchers/res-alice",
            "/support/researchers/res-alice/cascade",
            "/support/sites",
            "/support/ingestion-requests",
            "/support/catalogue",
        ],
        posts=[
            (
                f"/support/researchers/res-alice/accreditations/{accreditation_id}",
                {"action": "revoke", **reason},
            ),
            ("/support/sites/announce", {"site_id": "titchfield", "kind": "closure", **reason}),
            ("/support/ingestion-requests/ing_x", {"decision": "approve", **reason}),
            ("/support/ingestion-requests/ing_x/transfer", {}),
            ("/support/organisations/org-ntu/agreement", {"until": ""}),
            (
                "/support/datasets/ds-csew-2019/settings",
                {"access_level": "safe_setting", "threshold": "5"},
            ),
        ],
        secrets=["alice@ntu.example", TITLE, "Nottingham Trent University"],
    )
    read = await world["accreditation"].get(
        f"/v1/accreditations/{accreditation_id}", headers=researcher(world)
    )
    assert read.json()["status"] == "current"
