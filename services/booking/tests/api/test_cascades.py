"""Cascades from other services' events: each cancellation carries its reason and an
event, redelivery changes nothing, and late events never undo newer ones."""

from __future__ import annotations

import datetime as dt

import pytest

from srs_common.contracts import accreditation as acc
from srs_common.contracts import projects as prj
from srs_common.contracts.access import ProjectSpaceArchived
from srs_common.testing import event_from

WED_9 = "2027-10-27T08:00:00Z"
WED_11 = "2027-10-27T10:00:00Z"
THU_9 = "2027-10-28T08:00:00Z"
THU_11 = "2027-10-28T10:00:00Z"


def _accreditation(
    contract, researcher_id: str, status: str, occurred_at: dt.datetime, reason: str | None = None
):
    return contract(
        accreditation_id=f"acc-{researcher_id}",
        researcher_id=researcher_id,
        organisation_id="org-ntu",
        kind="full",
        status=status,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2029, 1, 1),
        reason=reason,
        occurred_at=occurred_at,
    )


async def _statuses(client, tokens) -> dict[str, tuple[str, str | None]]:
    items = (await client.get("/v1/bookings", headers=tokens.headers("support"))).json()["items"]
    return {b["id"]: (b["status"], b["cancel_reason"]) for b in items}


@pytest.mark.parametrize(
    "contract, status",
    [
        (acc.AccreditationSuspended, "suspended"),
        (acc.AccreditationExpired, "expired"),
        (acc.AccreditationRevoked, "revoked"),
    ],
)
async def test_lapsed_accreditation_cancels_that_researchers_coming_bookings_once(
    client, eligible, book, deliver, tokens, events, contract, status
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    past = (await book(client, alice, WED_9, WED_11)).json()["id"]
    coming = (await book(client, alice, THU_9, THU_11)).json()["id"]
    bobs = (await book(client, bob, THU_9, THU_11, place="T2")).json()["id"]
    client.clock.now = dt.datetime(2027, 10, 27, 12, tzinfo=dt.UTC)
    assert (
        await client.post(f"/v1/bookings/{past}/attended", headers=tokens.headers("support"))
    ).status_code == 200

    event = event_from(
        _accreditation(
            contract, "res-alice", status, client.clock.now, reason="breach of declaration"
        ),
        subject="res-alice",
        source="/srs/accreditation",
    )
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False
    # the same news again under a new event id cancels nothing more
    await deliver(
        client,
        _accreditation(
            contract, "res-alice", status, client.clock.now, reason="breach of declaration"
        ),
        subject="res-alice",
    )

    states = await _statuses(client, tokens)
    assert states[past] == ("attended", None)
    assert states[coming] == ("cancelled", f"accreditation {status}: breach of declaration")
    assert states[bobs] == ("confirmed", None)
    cancels = [p for t, p in await events(client) if t == "srs.booking.cancelled.v1"]
    assert [(p["booking_id"], p["cancelled_by"]) for p in cancels] == [(coming, "system")]


async def test_cancelled_cascade_frees_the_place(client, eligible, book, deliver):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    await book(client, alice, THU_9, THU_11)
    await deliver(
        client,
        _accreditation(acc.AccreditationRevoked, "res-alice", "revoked", client.clock.now),
        subject="res-alice",
    )
    assert (await book(client, bob, THU_9, THU_11)).status_code == 201


@pytest.mark.parametrize(
    "payload, reason",
    [
        (
            prj.ProjectCompleted(
                project_id="prj_burglary",
                organisation_id="org-ntu",
                lead_researcher_id="res-alice",
                member_ids=["res-alice", "res-bob"],
                occurred_at=dt.datetime(2027, 10, 26, tzinfo=dt.UTC),
            ),
            "project completed",
        ),
        (
            prj.ProjectSuspended(
                project_id="prj_burglary",
                organisation_id="org-ntu",
                reason="ethics approval lapsed",
                occurred_at=dt.datetime(2027, 10, 26, tzinfo=dt.UTC),
            ),
            "project suspended: ethics approval lapsed",
        ),
        (
            ProjectSpaceArchived(
                project_id="prj_burglary",
                space_id="spc_1",
                occurred_at=dt.datetime(2027, 10, 26, tzinfo=dt.UTC),
            ),
            "project space archived",
        ),
    ],
)
async def test_project_completed_or_suspended_cancels_its_bookings_once(
    client, eligible, book, deliver, tokens, events, payload, reason
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    other = await eligible(client, "res-carol", project_id="prj_other")
    ids = [
        (await book(client, alice, WED_9, WED_11)).json()["id"],
        (await book(client, bob, THU_9, THU_11)).json()["id"],
    ]
    unrelated = (
        await book(client, other, THU_9, THU_11, place="T5", project_id="prj_other")
    ).json()["id"]
    event = event_from(payload, subject="prj_burglary", source="/srs/projects")
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False
    await deliver(client, payload, subject="prj_burglary")  # re-published under a new id

    states = await _statuses(client, tokens)
    assert [states[i] for i in ids] == [("cancelled", reason)] * 2
    assert states[unrelated] == ("confirmed", None)
    assert len([t for t, _ in await events(client) if t == "srs.booking.cancelled.v1"]) == 2
    refused = await book(client, alice, THU_9, THU_11, place="T3")
    assert refused.status_code == 422 and refused.json()["rule"] == "project_not_active"


@pytest.mark.parametrize(
    "contract, how",
    [
        (prj.ProjectMemberRemoved, "removed"),
        (prj.ProjectMemberDeactivated, "deactivated"),
    ],
)
async def test_member_removed_or_deactivated_loses_only_their_bookings_for_the_project(
    client, eligible, book, deliver, tokens, events, contract, how
):
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    alices = (await book(client, alice, WED_9, WED_11)).json()["id"]
    bobs = (await book(client, bob, WED_9, WED_11, place="T2")).json()["id"]
    left = contract(
        project_id="prj_burglary",
        organisation_id="org-ntu",
        researcher_id="res-bob",
        role="researcher",
        reason="left the university",
        occurred_at=client.clock.now,
    )
    event = event_from(left, subject="prj_burglary", source="/srs/projects")
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False

    states = await _statuses(client, tokens)
    assert states[alices] == ("confirmed", None)
    assert states[bobs] == ("cancelled", f"project member {how}: left the university")
    assert len([t for t, _ in await events(client) if t == "srs.booking.cancelled.v1"]) == 1
    refused = await book(client, bob, THU_9, THU_11)
    assert refused.status_code == 422 and refused.json()["rule"] == "not_project_member"


@pytest.mark.parametrize("deactivation_first", [True, False])
async def test_a_revocation_and_its_member_deactivation_give_one_reason_in_either_order(
    client, eligible, book, deliver, tokens, events, deactivation_first
):
    """Projects deactivates the member of a revoked researcher; booking hears both, on two
    topics, in either order, and the booking always says the accreditation was revoked."""
    bob = await eligible(client, "res-bob")
    bobs = (await book(client, bob, THU_9, THU_11)).json()["id"]
    revoked = _accreditation(
        acc.AccreditationRevoked, "res-bob", "revoked", client.clock.now, reason="output breach"
    )
    deactivated = prj.ProjectMemberDeactivated(
        project_id="prj_burglary",
        organisation_id="org-ntu",
        researcher_id="res-bob",
        role="researcher",
        reason="accreditation_revoked",
        occurred_at=client.clock.now,
    )
    if deactivation_first:
        await deliver(client, deactivated, subject="prj_burglary")
        # inactive at once (no new booking), the cancelling waits for the revocation
        refused = await book(client, bob, THU_9, THU_11, place="T2")
        assert refused.status_code == 422 and refused.json()["rule"] == "not_project_member"
        assert (await _statuses(client, tokens))[bobs] == ("confirmed", None)
        await deliver(client, revoked, subject="res-bob")
    else:
        await deliver(client, revoked, subject="res-bob")
        await deliver(client, deactivated, subject="prj_burglary")

    assert (await _statuses(client, tokens))[bobs] == (
        "cancelled",
        "accreditation revoked: output breach",
    )
    assert len([t for t, _ in await events(client) if t == "srs.booking.cancelled.v1"]) == 1


@pytest.mark.parametrize("suspension_first", [True, False])
async def test_a_revoked_lead_and_the_project_suspension_give_each_booking_its_reason(
    client, eligible, book, deliver, tokens, events, suspension_first
):
    """Revoking the lead suspends the project; booking hears both, on two topics, in
    either order. The lead's booking always says their accreditation was revoked, the
    other member's that the project was suspended, and each is cancelled once."""
    alice = await eligible(client, "res-alice")
    bob = await eligible(client, "res-bob")
    alices = (await book(client, alice, WED_9, WED_11)).json()["id"]
    bobs = (await book(client, bob, THU_9, THU_11)).json()["id"]
    revoked = _accreditation(
        acc.AccreditationRevoked, "res-alice", "revoked", client.clock.now, reason="output breach"
    )
    suspended = prj.ProjectSuspended(
        project_id="prj_burglary",
        organisation_id="org-ntu",
        reason="the lead researcher's accreditation was revoked",
        cause="lead_revoked",
        lead_researcher_id="res-alice",
        occurred_at=client.clock.now,
    )
    if suspension_first:
        await deliver(client, suspended, subject="prj_burglary")
        # the project takes no new booking at once; the lead's waits for the revocation
        refused = await book(client, alice, THU_9, THU_11, place="T2")
        assert refused.status_code == 422
        assert (await _statuses(client, tokens))[alices] == ("confirmed", None)
        await deliver(client, revoked, subject="res-alice")
    else:
        await deliver(client, revoked, subject="res-alice")
        await deliver(client, suspended, subject="prj_burglary")

    states = await _statuses(client, tokens)
    assert states[alices] == ("cancelled", "accreditation revoked: output breach")
    assert states[bobs] == (
        "cancelled",
        "project suspended: the lead researcher's accreditation was revoked",
    )
    assert len([t for t, _ in await events(client) if t == "srs.booking.cancelled.v1"]) == 2


async def test_late_events_do_not_undo_newer_ones(client, eligible, book, deliver):
    alice = await eligible(client, "res-alice")
    now = client.clock.now
    # reinstated at 10:00, the older suspension (09:00) arrives afterwards: still current,
    # and it cancels nothing
    await deliver(
        client,
        _accreditation(acc.AccreditationReinstated, "res-alice", "current", now),
        subject="res-alice",
    )
    booking = await book(client, alice, WED_9, WED_11)
    await deliver(
        client,
        _accreditation(
            acc.AccreditationSuspended, "res-alice", "suspended", now - dt.timedelta(hours=1)
        ),
        subject="res-alice",
    )
    read = await client.get(f"/v1/bookings/{booking.json()['id']}", headers=alice)
    assert read.json()["status"] == "confirmed"
    # a completed project stays completed whatever arrives late
    await deliver(
        client,
        prj.ProjectCompleted(
            project_id="prj_burglary",
            organisation_id="org-ntu",
            lead_researcher_id="res-alice",
            member_ids=["res-alice"],
            occurred_at=now,
        ),
        subject="prj_burglary",
    )
    await deliver(
        client,
        prj.ProjectResumed(
            project_id="prj_burglary",
            organisation_id="org-ntu",
            occurred_at=now + dt.timedelta(hours=1),
        ),
        subject="prj_burglary",
    )
    refused = await book(client, alice, THU_9, THU_11)
    assert refused.status_code == 422 and refused.json()["rule"] == "project_not_active"


async def test_members_and_activation_arriving_before_approval_are_kept(
    client, deliver, tokens, eligible, book
):
    await eligible(client, "res-alice")  # accreditation, dataset, signature for res-alice
    when = client.clock.now - dt.timedelta(days=1)
    await deliver(
        client,
        prj.ProjectActivated(
            project_id="prj_late",
            organisation_id="org-ntu",
            dataset_ids=["ds-csew-2019"],
            occurred_at=when + dt.timedelta(hours=2),
        ),
        subject="prj_late",
    )
    await deliver(
        client,
        prj.ProjectMemberAdded(
            project_id="prj_late",
            organisation_id="org-ntu",
            researcher_id="res-alice",
            role="researcher",
            occurred_at=when + dt.timedelta(hours=1),
        ),
        subject="prj_late",
    )
    await deliver(
        client,
        prj.ProjectApproved(
            project_id="prj_late",
            title="Late",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[],
            expected_end_date=dt.date(2029, 1, 1),
            approved_at=when,
        ),
        subject="prj_late",
    )
    alice = tokens.headers("researcher", researcher_id="res-alice")
    created = await book(client, alice, WED_9, WED_11, project_id="prj_late")
    assert created.status_code == 201, created.text


async def test_space_provisioned_makes_the_project_bookable(
    client, deliver, tokens, eligible, book
):
    from srs_common.contracts.access import ProjectSpaceProvisioned

    await eligible(client, "res-alice")
    when = client.clock.now - dt.timedelta(days=1)
    await deliver(
        client,
        prj.ProjectApproved(
            project_id="prj_space",
            title="Space",
            organisation_id="org-ntu",
            legal_gateway="DEA",
            dataset_ids=["ds-csew-2019"],
            members=[prj.ProjectMember(researcher_id="res-alice", role="lead")],
            expected_end_date=dt.date(2029, 1, 1),
            approved_at=when,
        ),
        subject="prj_space",
    )
    alice = tokens.headers("researcher", researcher_id="res-alice")
    assert (await book(client, alice, WED_9, WED_11, project_id="prj_space")).status_code == 422
    await deliver(
        client,
        ProjectSpaceProvisioned(
            project_id="prj_space",
            space_id="spc_1",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-alice"],
            provisioned_at=when + dt.timedelta(hours=1),
        ),
        subject="prj_space",
    )
    assert (await book(client, alice, WED_9, WED_11, project_id="prj_space")).status_code == 201


def _one_of_two(contract, accreditation_id: str, kind: str, status: str, when: dt.datetime):
    return contract(
        accreditation_id=accreditation_id,
        researcher_id="res-alice",
        organisation_id="org-ntu",
        kind=kind,
        status=status,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2030, 1, 1),
        occurred_at=when,
    )


async def test_two_accreditations_bookings_follow_the_best_current_one(
    client, eligible, book, deliver, tokens, events
):
    """An old provisional and a new full: the provisional's end neither cancels bookings
    nor stops new ones; the full one's end (none current left) does both."""
    alice = await eligible(client, "res-alice")  # acc-res-alice, the old one
    now = client.clock.now
    await deliver(
        client,
        _one_of_two(acc.AccreditationGranted, "acc-full", "full", "current", now),
        subject="acc-full",
    )
    coming = (await book(client, alice, THU_9, THU_11)).json()["id"]
    await deliver(
        client,
        _one_of_two(
            acc.AccreditationExpired,
            "acc-res-alice",
            "provisional",
            "expired",
            now + dt.timedelta(minutes=1),
        ),
        subject="acc-res-alice",
    )
    assert (await _statuses(client, tokens))[coming] == ("confirmed", None)
    assert not [t for t, _ in await events(client) if t == "srs.booking.cancelled.v1"]
    assert (await book(client, alice, WED_9, WED_11)).status_code == 201

    await deliver(
        client,
        _one_of_two(
            acc.AccreditationExpired, "acc-full", "full", "expired", now + dt.timedelta(minutes=2)
        ),
        subject="acc-full",
    )
    states = await _statuses(client, tokens)
    assert {s for s, _ in states.values()} == {"cancelled"}
    assert states[coming] == ("cancelled", "accreditation expired")
    refused = await book(client, alice, WED_9, WED_11)
    assert refused.status_code == 422 and refused.json()["rule"] == "accreditation_not_current"
