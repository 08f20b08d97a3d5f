"""Access decisions: the allow path, each deny reason, who may ask, what is recorded."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from srs_access.models import HomeWorkingGrant
from srs_common.contracts import accreditation as acc
from srs_common.contracts import booking as bkg
from srs_common.contracts import projects as prj

GATEWAY = {"sub": "session-gateway"}


def ask(**overrides) -> dict:
    return {
        "researcher_id": "res-alice",
        "project_id": "prj-1",
        "setting": "safe_room",
        "country": "GB",
        "site_id": "titchfield",
        **overrides,
    }


async def decide(client, tokens, **overrides) -> dict:
    response = await client.post(
        "/v1/access-decisions", json=ask(**overrides), headers=tokens.headers("support", **GATEWAY)
    )
    assert response.status_code == 201, response.text
    return response.json()


def codes(decision: dict) -> list[str]:
    return [r["code"] for r in decision["reasons"]]


async def test_safe_room_with_a_booking_now_is_allowed_audited_and_published(client, tokens, world):
    await world.ready_project(datasets=["ds-idbr-2022"])
    await world.book("bkg-1", "res-alice", "prj-1")
    decision = await decide(client, tokens)
    assert decision["decision"] == "allow" and decision["reasons"] == []
    granted = await world.outbox("srs.access.granted.v1")
    assert granted[0][1]["decision_id"] == decision["decision_id"]
    audit = await client.get("/v1/audit/access", headers=tokens.headers("ops"))
    entry = audit.json()["items"][-1]
    assert (entry["id"], entry["seq"], entry["actor"], entry["outcome"]) == (
        decision["audit_entry_id"],
        1,
        "session-gateway",
        "allow",
    )
    assert entry["detail"]["site_id"] == "titchfield"


async def test_researcher_may_ask_for_themselves_only(client, tokens, world):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1", site="newport")
    alice = tokens.headers("researcher", researcher_id="res-alice")
    own = await client.post("/v1/access-decisions", json=ask(site_id="newport"), headers=alice)
    assert own.status_code == 201 and own.json()["allowed"] is True
    other = await client.post(
        "/v1/access-decisions", json=ask(researcher_id="res-bob"), headers=alice
    )
    assert other.status_code == 404
    for role in ("ops", "panel", "checker", "data_owner", "partner"):
        refused = await client.post(
            "/v1/access-decisions", json=ask(), headers=tokens.headers(role)
        )
        assert refused.status_code == 403, role
    assert (await client.post("/v1/access-decisions", json=ask())).status_code == 401
    # Nothing was recorded for the refused calls.
    assert len(await world.outbox("srs.access.granted.v1")) == 1
    assert await world.outbox("srs.access.denied.v1") == []


async def test_bad_input_is_422_naming_the_fields(client, tokens):
    response = await client.post(
        "/v1/access-decisions",
        headers=tokens.headers("support"),
        json=ask(setting="cafe", country="United Kingdom", extra=1),
    )
    assert response.status_code == 422
    assert {"body.setting", "body.country", "body.extra"} <= {
        e["field"] for e in response.json()["errors"]
    }
    no_site = await client.post(
        "/v1/access-decisions", headers=tokens.headers("support"), json=ask(site_id=None)
    )
    assert no_site.status_code == 422 and "site_id" in no_site.text


async def test_outside_uk(client, tokens, world):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    decision = await decide(client, tokens, country="fr")
    assert codes(decision) == ["outside_uk"]
    assert decision["reasons"][0]["message"] == "access from outside the UK is not permitted"
    denied = await world.outbox("srs.access.denied.v1")
    assert denied[0][1]["reasons"] == ["outside_uk"]


@pytest.mark.parametrize(
    "contract,status",
    [
        (acc.AccreditationSuspended, "suspended"),
        (acc.AccreditationExpired, "expired"),
        (acc.AccreditationRevoked, "revoked"),
    ],
)
async def test_accreditation_not_current(client, tokens, world, contract, status):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    await world.accredit("res-alice", contract=contract, status=status)
    assert codes(await decide(client, tokens)) == ["accreditation_not_current"]


async def test_accreditation_past_its_end_date_is_not_current(client, tokens, world):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    await world.accredit(
        "res-alice",
        contract=acc.AccreditationRenewed,
        valid_until=dt.date.today() - dt.timedelta(days=1),
    )
    assert codes(await decide(client, tokens)) == ["accreditation_not_current"]


async def test_not_an_active_member(client, tokens, world):
    await world.ready_project()
    await world.accredit("res-bob")
    await world.book("bkg-1", "res-bob", "prj-1")
    assert codes(await decide(client, tokens, researcher_id="res-bob")) == ["not_active_member"]
    await world.member(prj.ProjectMemberRemoved, "prj-1", "res-alice", role="lead")
    await world.book("bkg-2", "res-alice", "prj-1")
    assert codes(await decide(client, tokens)) == ["not_active_member"]


async def test_outputs_only_reviewer_has_no_data_account(client, tokens, world):
    await world.ready_project()
    await world.accredit("res-rev")
    await world.member(prj.ProjectMemberAdded, "prj-1", "res-rev", role="peer_reviewer_outputs")
    await world.book("bkg-1", "res-rev", "prj-1")
    assert codes(await decide(client, tokens, researcher_id="res-rev")) == ["no_data_account"]


async def test_project_not_active(client, tokens, world):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    await world.send(
        prj.ProjectSuspended(
            project_id="prj-1",
            organisation_id="org-ntu",
            reason="ethics lapsed",
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        "prj-1",
    )
    assert codes(await decide(client, tokens)) == ["project_not_active"]
    await world.send(
        prj.ProjectResumed(
            project_id="prj-1", organisation_id="org-ntu", occurred_at=dt.datetime.now(dt.UTC)
        ),
        "prj-1",
    )
    assert codes(await decide(client, tokens)) == []


async def test_setting_not_permitted_by_the_most_restricted_dataset(client, tokens, world):
    # ASHE allows office access; IDBR only safe settings: the project is safe-setting only.
    await world.ready_project(datasets=["ds-ashe-2021", "ds-idbr-2022"])
    assert codes(await decide(client, tokens, setting="office", site_id=None)) == [
        "setting_not_permitted"
    ]


async def test_office_allowed_when_every_dataset_permits_it(client, tokens, world):
    await world.ready_project(datasets=["ds-ashe-2021", "ds-csew-2019"])
    assert codes(await decide(client, tokens, setting="office", site_id=None)) == []


@pytest.mark.parametrize(
    "booking", ["none", "other_site", "later", "cancelled", "cancelled_first", "other_project"]
)
async def test_no_booking_at_this_site_for_now(client, tokens, world, booking):
    await world.ready_project()
    now = dt.datetime.now(dt.UTC)
    if booking == "other_site":
        await world.book("bkg-1", "res-alice", "prj-1", site="newport")
    elif booking == "later":
        await world.book("bkg-1", "res-alice", "prj-1", starts=now + dt.timedelta(hours=2))
    elif booking == "cancelled":
        await world.book("bkg-1", "res-alice", "prj-1")
        await world.book("bkg-1", "res-alice", "prj-1", contract=bkg.BookingCancelled)
    elif booking == "cancelled_first":  # out of order: the cancellation overtook it
        await world.book("bkg-1", "res-alice", "prj-1", contract=bkg.BookingCancelled)
        await world.book("bkg-1", "res-alice", "prj-1")
    elif booking == "other_project":
        await world.book("bkg-1", "res-alice", "prj-9")
    assert codes(await decide(client, tokens)) == ["no_booking"]
    assert codes(await decide(client, tokens, setting="safepod", site_id="pod-leeds")) == [
        "no_booking"
    ]


async def test_attended_booking_still_counts(client, tokens, world):
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    await world.book("bkg-1", "res-alice", "prj-1", contract=bkg.BookingAttended)
    assert codes(await decide(client, tokens)) == []


@pytest.mark.parametrize("organisation", ["unknown", "expired", "no_record"])
async def test_no_current_agreement_for_office(client, tokens, world, organisation):
    await world.ready_project()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    if organisation == "expired":
        await world.organisation("org-expired", until=yesterday)
        await world.register("res-alice", "org-expired", contract=acc.ResearcherUpdated)
    elif organisation == "unknown":
        await world.register("res-alice", "org-nowhere", contract=acc.ResearcherUpdated)
    else:
        await world.accredit("res-bob")
        await world.member(prj.ProjectMemberAdded, "prj-1", "res-bob")
    researcher = "res-bob" if organisation == "no_record" else "res-alice"
    decision = await decide(
        client, tokens, setting="office", site_id=None, researcher_id=researcher
    )
    assert codes(decision) == ["no_current_agreement"]


async def test_legacy_remote_connection_permits_the_office_but_not_home(client, tokens, world):
    """Section 18: researchers of organisations with existing remote connectivity carry on
    from their offices; home working needs the organisation's AOC agreement."""
    await world.ready_project()
    await world.organisation("org-legacy", until=None, legacy=True)
    await world.register("res-alice", "org-legacy", contract=acc.ResearcherUpdated)
    office = await decide(client, tokens, setting="office", site_id=None)
    assert office["allowed"] is True and office["organisation_id"] == "org-legacy"
    async with client.runtime.db.transaction() as session:
        session.add(
            HomeWorkingGrant(
                researcher_id="res-alice",
                project_id="prj-1",
                request_id="hw-1",
                syops_signed_at=dt.datetime.now(dt.UTC),
            )
        )
    assert codes(await decide(client, tokens, setting="home", site_id=None)) == [
        "no_current_agreement"
    ]


async def test_the_organisation_is_the_researchers_own_not_the_callers(client, tokens, world):
    # Alice's record says an organisation without any connection: naming one with an
    # agreement in the request is refused, and her own is the one that counts.
    await world.ready_project()
    await world.organisation("org-none", until=None)
    await world.register("res-alice", "org-none", contract=acc.ResearcherUpdated)
    named = await client.post(
        "/v1/access-decisions",
        headers=tokens.headers("support"),
        json=ask(setting="office", site_id=None, organisation_id="org-ntu"),
    )
    assert named.status_code == 422, named.text
    assert "organisation_id is not accepted" in named.text
    decision = await decide(client, tokens, setting="office", site_id=None)
    assert codes(decision) == ["no_current_agreement"]
    assert decision["organisation_id"] == "org-none"
    audit = await client.get("/v1/audit/access", headers=tokens.headers("ops"))
    assert audit.json()["items"][-1]["detail"]["organisation_id"] == "org-none"
    # A later update of the record (support changed it) counts; an older one does not.
    await world.register("res-alice", "org-ntu", contract=acc.ResearcherUpdated)
    await world.register(
        "res-alice",
        "org-none",
        contract=acc.ResearcherUpdated,
        at=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
    )
    assert codes(await decide(client, tokens, setting="office", site_id=None)) == []


async def test_an_over_long_project_id_is_422_not_500(client, tokens):
    response = await client.post(
        "/v1/access-decisions", headers=tokens.headers("support"), json=ask(project_id="p" * 41)
    )
    assert response.status_code == 422, response.text
    assert "body.project_id" in {e["field"] for e in response.json()["errors"]}
    assert (
        await client.post(
            "/v1/access-decisions", headers=tokens.headers("support"), json=ask(project_id="p" * 40)
        )
    ).status_code == 201


async def test_home_needs_approval_and_signed_syops(client, tokens, world):
    await world.ready_project()
    assert codes(await decide(client, tokens, setting="home", site_id=None)) == ["no_home_working"]
    async with client.runtime.db.transaction() as session:
        session.add(
            HomeWorkingGrant(researcher_id="res-alice", project_id="prj-1", request_id="hw-1")
        )
    assert codes(await decide(client, tokens, setting="home", site_id=None)) == ["syops_not_signed"]


async def test_every_reason_that_applies_is_returned(client, tokens, world):
    await world.seed()
    await world.accredit("res-alice", contract=acc.AccreditationRevoked, status="revoked")
    await world.approve("prj-1", [("res-alice", "lead")], datasets=["ds-idbr-2022"])
    await world.register("res-alice", "org-nowhere")
    decision = await decide(client, tokens, setting="home", site_id=None, country="DE")
    assert codes(decision) == [
        "outside_uk",
        "accreditation_not_current",
        "project_not_active",
        "setting_not_permitted",
        "no_current_agreement",
        "no_home_working",
    ]
    assert all(r["message"] for r in decision["reasons"])


async def test_simultaneous_decisions_are_each_audited_and_published_once(client, tokens, world):
    # Decisions arriving together are committed together (group commit): each still
    # gets its own audit entry and event before it is answered.
    await world.ready_project(datasets=["ds-idbr-2022"])
    decisions = await asyncio.gather(
        *(decide(client, tokens, country=country) for country in ["GB", "FR"] * 10)
    )
    assert len({d["audit_entry_id"] for d in decisions}) == 20
    assert sorted(codes(d) for d in decisions).count(["outside_uk", "no_booking"]) == 10
    published = await world.outbox("srs.access.denied.v1")
    assert sorted(e[1]["decision_id"] for e in published) == sorted(
        d["decision_id"] for d in decisions
    )
    audit = await client.get("/v1/audit/access?limit=50", headers=tokens.headers("ops"))
    audited = {e["id"]: e["detail"]["decision_id"] for e in audit.json()["items"]}
    assert {d["audit_entry_id"]: d["decision_id"] for d in decisions} == audited


async def test_two_accreditations_access_follows_the_best_current_one(client, tokens, world):
    """An old provisional and a new full: the end of the provisional changes nothing;
    the end of the full one (the last current) denies."""
    await world.ready_project()
    await world.book("bkg-1", "res-alice", "prj-1")
    await world.accredit("res-alice", accreditation_id="acc-full", kind="full")
    await world.accredit("res-alice", contract=acc.AccreditationExpired, status="expired")
    decision = await decide(client, tokens)
    assert decision["decision"] == "allow", decision
    await world.accredit(
        "res-alice",
        accreditation_id="acc-full",
        kind="full",
        contract=acc.AccreditationExpired,
        status="expired",
    )
    assert codes(await decide(client, tokens)) == ["accreditation_not_current"]
