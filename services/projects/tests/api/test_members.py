"""Members and roles: who may hold which role, and events for changes during a project."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accreditation import (
    AccreditationExpired,
    AccreditationGranted,
    AccreditationReinstated,
    AccreditationRenewed,
    AccreditationRevoked,
    AccreditationSuspended,
)

YESTERDAY = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


async def add(projects, project_id, lead="res-alice", **member):
    return await projects.client.post(
        f"/v1/projects/{project_id}/members", json=member, headers=projects.researcher(lead)
    )


async def test_researcher_role_needs_a_current_accreditation(projects):
    project_id = await projects.draft()
    nobody = await add(projects, project_id, researcher_id="res-none", role="researcher")
    assert nobody.status_code == 422 and nobody.json()["rule"] == "accreditation_required"

    await projects.accredit("res-lapsed", valid_until=YESTERDAY)
    lapsed = await add(projects, project_id, researcher_id="res-lapsed", role="researcher")
    assert lapsed.status_code == 422 and lapsed.json()["rule"] == "accreditation_required"

    await projects.accredit("res-bob")
    bob = await add(projects, project_id, researcher_id="res-bob", role="researcher")
    assert bob.status_code == 201 and bob.json()["active"] is True


async def test_data_peer_reviewer_must_be_fully_accredited(projects):
    project_id = await projects.draft()
    await projects.accredit("res-prov", kind="provisional")
    refused = await add(
        projects,
        project_id,
        researcher_id="res-prov",
        role="peer_reviewer_data",
        supervisor_id="res-alice",
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "full_accreditation_required"
    await projects.accredit("res-srsa", kind="srsa_approved")
    accepted = await add(projects, project_id, researcher_id="res-srsa", role="peer_reviewer_data")
    assert accepted.status_code == 201


async def test_outputs_only_peer_reviewer_needs_no_accreditation_but_a_name(projects):
    project_id = await projects.draft()
    unnamed = await add(
        projects, project_id, researcher_id="rev-carol", role="peer_reviewer_outputs"
    )
    assert unnamed.status_code == 422 and unnamed.json()["rule"] == "outputs_reviewer_named"
    named = await add(
        projects,
        project_id,
        researcher_id="rev-carol",
        role="peer_reviewer_outputs",
        name="Carol Reviewer",
    )
    assert named.status_code == 201 and named.json()["name"] == "Carol Reviewer"


async def test_provisional_researcher_needs_a_fully_accredited_supervisor_on_the_project(projects):
    project_id = await projects.draft()
    await projects.accredit("res-prov", kind="provisional")
    await projects.accredit("res-bob", kind="provisional")
    await projects.accredit("res-dan")  # fully accredited, but not on this project

    unsupervised = await add(projects, project_id, researcher_id="res-prov", role="researcher")
    assert unsupervised.json()["rule"] == "supervisor_required"
    outsider = await add(
        projects, project_id, researcher_id="res-prov", role="researcher", supervisor_id="res-dan"
    )
    assert outsider.json()["rule"] == "supervisor_not_fully_accredited"
    await add(
        projects, project_id, researcher_id="res-bob", role="researcher", supervisor_id="res-alice"
    )
    provisional_supervisor = await add(
        projects, project_id, researcher_id="res-prov", role="researcher", supervisor_id="res-bob"
    )
    assert provisional_supervisor.json()["rule"] == "supervisor_not_fully_accredited"

    supervised = await add(
        projects, project_id, researcher_id="res-prov", role="researcher", supervisor_id="res-alice"
    )
    assert supervised.status_code == 201 and supervised.json()["supervisor_id"] == "res-alice"


async def test_submission_checks_every_member_again(projects, client):
    project_id = await projects.draft()
    await projects.accredit("res-bob")
    await add(projects, project_id, researcher_id="res-bob", role="researcher")
    await projects.accredit("res-bob", contract=AccreditationSuspended, status="suspended")
    refused = await client.post(
        f"/v1/projects/{project_id}/submit", headers=projects.researcher("res-alice")
    )
    assert refused.status_code == 422
    assert refused.json()["researcher_id"] == "res-bob"


async def test_members_added_and_removed_during_the_project_publish_events(projects, client):
    project_id = await projects.active()
    await projects.accredit("res-bob")
    assert (await projects.join(project_id, "res-bob"))["status"] == "approved"
    duplicate = await add(projects, project_id, researcher_id="res-bob", role="researcher")
    assert duplicate.status_code == 409
    alice = projects.researcher("res-alice")
    removed = await client.delete(f"/v1/projects/{project_id}/members/res-bob", headers=alice)
    assert removed.status_code == 204
    lead = await client.delete(f"/v1/projects/{project_id}/members/res-alice", headers=alice)
    assert lead.status_code == 422 and lead.json()["rule"] == "lead_stays"
    [added] = await projects.events("srs.project.member_added.v1")
    [gone] = await projects.events("srs.project.member_removed.v1")
    assert (added["researcher_id"], added["role"], added["_key"]) == (
        "res-bob",
        "researcher",
        project_id,
    )
    assert gone["researcher_id"] == "res-bob"
    assert [m["researcher_id"] for m in (await projects.get(project_id))["members"]] == [
        "res-alice"
    ]


async def test_membership_is_frozen_while_the_panel_reviews(projects):
    project_id = await projects.under_review()
    await projects.accredit("res-bob")
    frozen = await add(projects, project_id, researcher_id="res-bob", role="researcher")
    assert frozen.status_code == 409 and frozen.json()["current_state"] == "under_review"


async def test_a_supervisor_cannot_be_removed_while_supervising(projects, client):
    project_id = await projects.draft()
    await projects.accredit("res-bob")
    await projects.accredit("res-prov", kind="provisional")
    await add(projects, project_id, researcher_id="res-bob", role="researcher")
    await add(
        projects, project_id, researcher_id="res-prov", role="researcher", supervisor_id="res-bob"
    )
    refused = await client.delete(
        f"/v1/projects/{project_id}/members/res-bob", headers=projects.researcher("res-alice")
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "supervisor_in_use"


# --- the accreditation read model ------------------------------------------------------


async def test_losing_accreditation_deactivates_on_every_project_at_once(projects):
    await projects.accredit("res-bob")
    first = await projects.active()
    second = await projects.draft()
    for project_id in (first, second):
        await projects.join(project_id, "res-bob")

    event_time = dt.datetime.now(dt.UTC)
    assert await projects.accredit(
        "res-bob",
        contract=AccreditationRevoked,
        status="revoked",
        reason="breach",
        occurred_at=event_time,
    )
    for project_id in (first, second):
        [bob] = [
            m
            for m in (await projects.get(project_id))["members"]
            if m["researcher_id"] == "res-bob"
        ]
        assert bob["active"] is False and bob["inactive_reason"] == "accreditation_revoked"
    deactivated = await projects.events("srs.project.member_deactivated.v1")
    assert sorted(e["project_id"] for e in deactivated) == sorted([first, second])
    assert {e["reason"] for e in deactivated} == {"accreditation_revoked"}

    # The same state again (a repeat from upstream under a new id) adds nothing.
    await projects.accredit(
        "res-bob", contract=AccreditationRevoked, status="revoked", occurred_at=event_time
    )
    assert len(await projects.events("srs.project.member_deactivated.v1")) == 2


async def test_expired_and_suspended_also_deactivate_and_reinstated_reactivates(projects):
    await projects.accredit("res-bob")
    project_id = await projects.active()
    await projects.join(project_id, "res-bob")
    t0 = dt.datetime.now(dt.UTC)
    await projects.accredit(
        "res-bob",
        contract=AccreditationSuspended,
        status="suspended",
        occurred_at=t0 + dt.timedelta(seconds=1),
    )
    await projects.accredit(
        "res-bob", contract=AccreditationReinstated, occurred_at=t0 + dt.timedelta(seconds=2)
    )
    await projects.accredit(
        "res-bob",
        contract=AccreditationExpired,
        status="expired",
        occurred_at=t0 + dt.timedelta(seconds=3),
    )
    await projects.accredit(
        "res-bob", contract=AccreditationRenewed, occurred_at=t0 + dt.timedelta(seconds=4)
    )
    types = [
        (e["_type"].split(".")[2], e.get("reason"))
        for e in await projects.events()
        if "member_" in e["_type"] and e["researcher_id"] == "res-bob"
    ]
    assert types == [
        ("member_requested", None),
        ("member_added", None),
        ("member_deactivated", "accreditation_suspended"),
        ("member_reactivated", None),
        ("member_deactivated", "accreditation_expired"),
        ("member_reactivated", None),
    ]


async def test_an_older_event_arriving_late_changes_nothing(projects, client):
    await projects.accredit("res-bob")
    project_id = await projects.draft()
    await add(projects, project_id, researcher_id="res-bob", role="researcher")
    now = dt.datetime.now(dt.UTC)
    await projects.accredit("res-bob", contract=AccreditationRenewed, occurred_at=now)
    stale = await projects.accredit(
        "res-bob",
        contract=AccreditationSuspended,
        status="suspended",
        occurred_at=now - dt.timedelta(hours=1),
    )
    assert stale is True  # consumed, but older than what we know
    [bob] = [
        m for m in (await projects.get(project_id))["members"] if m["researcher_id"] == "res-bob"
    ]
    assert bob["active"] is True
    assert await projects.events("srs.project.member_deactivated.v1") == []


async def test_the_same_accreditation_event_twice_has_one_effect(projects, client, deliver):
    from srs_common.testing import event_from

    await projects.accredit("res-bob")
    project_id = await projects.draft()
    await add(projects, project_id, researcher_id="res-bob", role="researcher")
    event = event_from(
        AccreditationExpired(
            accreditation_id="acc-res-bob",
            researcher_id="res-bob",
            organisation_id="org-ntu",
            kind="full",
            status="expired",
            valid_from=YESTERDAY - dt.timedelta(days=1000),
            valid_until=YESTERDAY,
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject="res-bob",
        source="/srs/accreditation",
    )
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False
    assert len(await projects.events("srs.project.member_deactivated.v1")) == 1


async def test_a_provisional_reinstatement_does_not_restore_a_data_peer_reviewer(projects):
    await projects.accredit("res-rev")
    project_id = await projects.draft()
    await add(projects, project_id, researcher_id="res-rev", role="peer_reviewer_data")
    t0 = dt.datetime.now(dt.UTC)
    await projects.accredit(
        "res-rev",
        contract=AccreditationSuspended,
        status="suspended",
        occurred_at=t0 + dt.timedelta(seconds=1),
    )
    await projects.accredit(
        "res-rev",
        contract=AccreditationGranted,
        kind="provisional",
        occurred_at=t0 + dt.timedelta(seconds=2),
    )
    [rev] = [
        m for m in (await projects.get(project_id))["members"] if m["researcher_id"] == "res-rev"
    ]
    assert rev["active"] is False
    assert await projects.events("srs.project.member_reactivated.v1") == []


async def test_a_supervisor_losing_accreditation_takes_their_supervisee_with_them(projects):
    await projects.accredit("res-bob")
    await projects.accredit("res-prov", kind="provisional")
    project_id = await projects.draft()
    await add(projects, project_id, researcher_id="res-bob", role="researcher")
    await add(
        projects, project_id, researcher_id="res-prov", role="researcher", supervisor_id="res-bob"
    )
    t0 = dt.datetime.now(dt.UTC)

    async def standing():
        members = (await projects.get(project_id))["members"]
        return {m["researcher_id"]: (m["active"], m["inactive_reason"]) for m in members}

    await projects.accredit(
        "res-bob",
        contract=AccreditationSuspended,
        status="suspended",
        occurred_at=t0 + dt.timedelta(seconds=1),
    )
    assert (await standing())["res-prov"] == (False, "supervisor_inactive")
    # The supervisee's own accreditation lapses and comes back while the supervisor is out:
    await projects.accredit(
        "res-prov",
        contract=AccreditationExpired,
        status="expired",
        kind="provisional",
        occurred_at=t0 + dt.timedelta(seconds=2),
    )
    await projects.accredit(
        "res-prov",
        contract=AccreditationRenewed,
        kind="provisional",
        occurred_at=t0 + dt.timedelta(seconds=3),
    )
    assert (await standing())["res-prov"] == (False, "supervisor_inactive")
    await projects.accredit(
        "res-bob", contract=AccreditationReinstated, occurred_at=t0 + dt.timedelta(seconds=4)
    )
    assert await standing() == {
        "res-alice": (True, None),
        "res-bob": (True, None),
        "res-prov": (True, None),
    }
    deactivated = [
        (e["researcher_id"], e["reason"])
        for e in await projects.events("srs.project.member_deactivated.v1")
    ]
    assert deactivated == [
        ("res-bob", "accreditation_suspended"),
        ("res-prov", "supervisor_inactive"),
    ]
    reactivated = [
        e["researcher_id"] for e in await projects.events("srs.project.member_reactivated.v1")
    ]
    assert reactivated == ["res-bob", "res-prov"]


async def test_every_accreditation_held_counts_and_the_best_current_one_decides(projects):
    t0 = dt.datetime.now(dt.UTC)
    await projects.accredit("res-bob", kind="full", accreditation_id="acc-bob-full", occurred_at=t0)
    # A provisional accreditation recorded after the full one does not downgrade Bob.
    await projects.accredit(
        "res-bob",
        kind="provisional",
        accreditation_id="acc-bob-prov",
        valid_until=dt.date.today() + dt.timedelta(days=30),
        occurred_at=t0 + dt.timedelta(seconds=1),
    )
    assert await projects.draft("res-bob")  # leading needs the full one
    project_id = await projects.active()
    await projects.join(project_id, "res-bob", role="peer_reviewer_data")

    # The old provisional one expires: Bob still holds a current full accreditation.
    await projects.accredit(
        "res-bob",
        contract=AccreditationExpired,
        status="expired",
        kind="provisional",
        accreditation_id="acc-bob-prov",
        valid_until=YESTERDAY,
        occurred_at=t0 + dt.timedelta(seconds=2),
    )
    [bob] = [
        m for m in (await projects.get(project_id))["members"] if m["researcher_id"] == "res-bob"
    ]
    assert bob["active"] is True
    assert await projects.events("srs.project.member_deactivated.v1") == []

    # When the full one goes too, nothing current is left.
    await projects.accredit(
        "res-bob",
        contract=AccreditationExpired,
        status="expired",
        accreditation_id="acc-bob-full",
        valid_until=YESTERDAY,
        occurred_at=t0 + dt.timedelta(seconds=3),
    )
    [bob] = [
        m for m in (await projects.get(project_id))["members"] if m["researcher_id"] == "res-bob"
    ]
    assert (bob["active"], bob["inactive_reason"]) == (False, "accreditation_expired")
