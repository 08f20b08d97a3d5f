"""Project spaces and accounts kept in step with project and accreditation events."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import accreditation as acc
from srs_common.contracts import projects as prj
from srs_common.testing import event_from


def ago(minutes: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)


async def space(client, tokens, project_id: str) -> dict:
    response = await client.get(
        f"/v1/project-spaces/{project_id}", headers=tokens.headers("support")
    )
    assert response.status_code == 200, response.text
    return response.json()


def accounts(body: dict) -> dict[str, bool]:
    return {a["researcher_id"]: a["enabled"] for a in body["accounts"]}


async def test_approval_provisions_once_with_accounts_for_accredited_data_users(
    client, tokens, world, deliver
):
    for researcher in ("res-alice", "res-bob", "res-rev"):
        await world.accredit(researcher)
    approved = world.approved(
        "prj-1",
        [
            ("res-alice", "lead"),
            ("res-bob", "researcher"),
            ("res-rev", "peer_reviewer_outputs"),
            ("res-new", "researcher"),
        ],
    )
    event = event_from(approved, subject="prj-1")
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False  # the same event again
    await world.send(approved, "prj-1")  # the same approval under a new event id

    provisioned = await world.outbox("srs.project_space.provisioned.v1")
    assert len(provisioned) == 1
    assert provisioned[0][1]["accounts_enabled"] == ["res-alice", "res-bob"]
    body = await space(client, tokens, "prj-1")
    assert body["dataset_ids"] == ["ds-csew-2019"]
    # Outputs-only reviewer: no data account; not yet accredited: none until they are.
    assert accounts(body) == {"res-alice": True, "res-bob": True}
    await world.accredit("res-new")
    assert accounts(await space(client, tokens, "prj-1"))["res-new"] is True


async def test_member_events_before_the_approval_are_not_lost_or_undone(client, tokens, world):
    await world.accredit("res-alice")
    await world.accredit("res-carol")
    await world.accredit("res-dan")
    # Carol added after the approval, Dan removed after it, both delivered before it.
    await world.member(prj.ProjectMemberAdded, "prj-2", "res-carol", at=ago(1))
    await world.member(prj.ProjectMemberRemoved, "prj-2", "res-dan", at=ago(1))
    await world.approve("prj-2", [("res-alice", "lead"), ("res-dan", "researcher")], at=ago(5))
    assert accounts(await space(client, tokens, "prj-2")) == {"res-alice": True, "res-carol": True}
    # A stale re-add older than the removal changes nothing; a fresh one re-enables.
    await world.member(prj.ProjectMemberAdded, "prj-2", "res-dan", at=ago(3))
    assert "res-dan" not in accounts(await space(client, tokens, "prj-2"))
    await world.member(prj.ProjectMemberAdded, "prj-2", "res-dan")
    assert accounts(await space(client, tokens, "prj-2"))["res-dan"] is True


async def test_accreditation_changes_reach_every_project_at_once(client, tokens, world):
    await world.accredit("res-alice", at=ago(10))
    await world.approve("prj-a", [("res-alice", "lead")])
    await world.approve("prj-b", [("res-alice", "researcher")])
    await world.accredit(
        "res-alice", status="suspended", contract=acc.AccreditationSuspended, at=ago(2)
    )
    for project in ("prj-a", "prj-b"):
        body = await space(client, tokens, project)
        assert body["accounts"][0]["enabled"] is False
        assert body["accounts"][0]["disabled_reason"] == "accreditation suspended"
    # A late, older "granted" does not undo the suspension.
    await world.accredit("res-alice", at=ago(5))
    assert accounts(await space(client, tokens, "prj-a")) == {"res-alice": False}
    await world.accredit("res-alice", contract=acc.AccreditationReinstated)
    assert accounts(await space(client, tokens, "prj-a")) == {"res-alice": True}
    assert accounts(await space(client, tokens, "prj-b")) == {"res-alice": True}
    disabled = await world.outbox("srs.account.disabled.v1")
    assert sorted(p["project_id"] for _, p in disabled) == ["prj-a", "prj-b"]


async def test_member_deactivated_and_removed_disable_the_account(client, tokens, world):
    await world.accredit("res-alice")
    await world.accredit("res-bob")
    await world.approve("prj-3", [("res-alice", "lead"), ("res-bob", "researcher")], at=ago(5))
    await world.member(prj.ProjectMemberDeactivated, "prj-3", "res-bob")
    await world.member(prj.ProjectMemberRemoved, "prj-3", "res-alice", role="lead")
    body = await space(client, tokens, "prj-3")
    assert {a["researcher_id"]: a["disabled_reason"] for a in body["accounts"]} == {
        "res-alice": "member removed",
        "res-bob": "member inactive",
    }


async def test_completion_archives_the_space_and_disables_accounts_once(client, tokens, world):
    await world.accredit("res-alice")
    await world.approve("prj-4", [("res-alice", "lead")], at=ago(5))
    completed = prj.ProjectCompleted(
        project_id="prj-4",
        organisation_id="org-ntu",
        lead_researcher_id="res-alice",
        member_ids=["res-alice"],
        occurred_at=ago(1),
    )
    await world.send(completed, "prj-4")
    await world.send(completed, "prj-4")
    body = await space(client, tokens, "prj-4")
    assert body["status"] == "archived" and accounts(body) == {"res-alice": False}
    assert len(await world.outbox("srs.project_space.archived.v1")) == 1
    # Reinstatement later does not reopen an archived space.
    await world.accredit("res-alice", contract=acc.AccreditationReinstated)
    assert accounts(await space(client, tokens, "prj-4")) == {"res-alice": False}


async def test_project_space_visibility(client, tokens, world):
    await world.accredit("res-alice")
    await world.accredit("res-bob")
    await world.approve("prj-5", [("res-alice", "lead"), ("res-bob", "researcher")])
    alice = await client.get(
        "/v1/project-spaces/prj-5", headers=tokens.headers("researcher", researcher_id="res-alice")
    )
    assert alice.status_code == 200
    assert [a["researcher_id"] for a in alice.json()["accounts"]] == ["res-alice"]
    outsider = await client.get(
        "/v1/project-spaces/prj-5", headers=tokens.headers("researcher", researcher_id="res-eve")
    )
    assert outsider.status_code == 404
    assert (
        await client.get("/v1/project-spaces/prj-5", headers=tokens.headers("ops"))
    ).status_code == 200
    assert (
        await client.get("/v1/project-spaces/prj-nope", headers=tokens.headers("support"))
    ).status_code == 404


async def test_accounts_stay_enabled_while_any_accreditation_is_current(client, tokens, world):
    """Provisional granted, then full: the provisional's expiry leaves the account
    enabled (nothing disabled, nothing published); the full one's expiry disables it."""
    await world.accredit("res-alice", accreditation_id="acc-prov", kind="provisional", at=ago(10))
    await world.accredit("res-alice", accreditation_id="acc-full", kind="full", at=ago(9))
    await world.approve("prj-6", [("res-alice", "lead")], at=ago(8))
    await world.accredit(
        "res-alice",
        accreditation_id="acc-prov",
        kind="provisional",
        contract=acc.AccreditationExpired,
        status="expired",
        at=ago(2),
    )
    assert accounts(await space(client, tokens, "prj-6")) == {"res-alice": True}
    assert await world.outbox("srs.account.disabled.v1") == []
    # A late "granted" of the provisional does not bring it back as current either.
    await world.accredit("res-alice", accreditation_id="acc-prov", kind="provisional", at=ago(10))
    await world.accredit(
        "res-alice",
        accreditation_id="acc-full",
        kind="full",
        contract=acc.AccreditationExpired,
        status="expired",
        at=ago(1),
    )
    body = await space(client, tokens, "prj-6")
    assert accounts(body) == {"res-alice": False}
    assert body["accounts"][0]["disabled_reason"] == "accreditation expired"
    assert len(await world.outbox("srs.account.disabled.v1")) == 1


async def test_a_suspended_project_disables_accounts_and_resuming_enables_them(
    client, tokens, world
):
    """Suspension (a revoked lead, an overdue project past its grace) takes data access
    away at once; resumption gives it back to members still accredited."""
    await world.accredit("res-alice")
    await world.accredit("res-bob")
    await world.approve("prj-7", [("res-alice", "lead"), ("res-bob", "researcher")], at=ago(9))
    await world.send(
        prj.ProjectSuspended(
            project_id="prj-7",
            organisation_id="org-ntu",
            reason="overdue: grace period ended",
            occurred_at=ago(5),
        ),
        "prj-7",
    )
    body = await space(client, tokens, "prj-7")
    assert accounts(body) == {"res-alice": False, "res-bob": False}
    assert {a["disabled_reason"] for a in body["accounts"]} == {"project suspended"}
    disabled = await world.outbox("srs.account.disabled.v1")
    assert sorted(payload["researcher_id"] for _, payload in disabled) == ["res-alice", "res-bob"]
    # A member added while suspended gets no account until the project resumes.
    await world.accredit("res-carol")
    await world.member(prj.ProjectMemberAdded, "prj-7", "res-carol", at=ago(4))
    assert "res-carol" not in {
        k for k, v in accounts(await space(client, tokens, "prj-7")).items() if v
    }
    await world.send(
        prj.ProjectResumed(project_id="prj-7", organisation_id="org-ntu", occurred_at=ago(2)),
        "prj-7",
    )
    assert accounts(await space(client, tokens, "prj-7")) == {
        "res-alice": True,
        "res-bob": True,
        "res-carol": True,
    }
