"""Applications through panel review: what an application needs, the review state
machine, decisions with reasons, and the events each step publishes."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from srs_common.contracts.access import ProjectSpaceProvisioned
from srs_common.events.consumer import ConsumerRunner
from srs_common.testing import consumer_record, event_from


async def test_only_an_accredited_researcher_can_draft_an_application(
    projects, client, application
):
    stranger = await client.post(
        "/v1/projects", json=application, headers=projects.researcher("res-unaccredited")
    )
    assert stranger.status_code == 422
    assert stranger.json()["rule"] == "accreditation_required"

    await projects.accredit("res-prov", kind="provisional")
    provisional = await client.post(
        "/v1/projects", json=application, headers=projects.researcher("res-prov")
    )
    assert provisional.status_code == 422
    assert provisional.json()["rule"] == "lead_provisional"

    created = await client.post(
        "/v1/projects", json=application, headers=projects.researcher("res-alice")
    )
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "draft"
    assert body["members"] == [
        {
            "researcher_id": "res-alice",
            "role": "lead",
            "active": True,
            "name": None,
            "supervisor_id": None,
            "inactive_reason": None,
        }
    ]


async def test_bad_input_is_422_naming_each_field(projects, client, application):
    bad = await client.post(
        "/v1/projects",
        json={**application, "legal_gateway": "GDPR", "surprise": 1, "dataset_ids": []},
        headers=projects.researcher("res-alice"),
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    fields = {e["field"] for e in bad.json()["errors"]}
    assert {"body.legal_gateway", "body.surprise", "body.dataset_ids"} <= fields
    dates = await client.post(
        "/v1/projects",
        headers=projects.researcher("res-alice"),
        json={**application, "expected_start_date": application["expected_end_date"]},
    )
    assert dates.status_code == 422
    assert "expected_start_date must be before expected_end_date" in dates.text


async def test_an_incomplete_draft_cannot_be_submitted(projects, client):
    project_id = await projects.draft(
        ethics_confirmed=False, public_benefit="", data_source_acknowledged=False
    )
    alice = projects.researcher("res-alice")
    refused = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert refused.status_code == 422
    problems = " ".join(refused.json()["problems"])
    assert "ethics_confirmed" in problems and "public_benefit" in problems
    assert "data_source_acknowledged" in problems
    assert (await projects.get(project_id))["status"] == "draft"
    assert await projects.events() == []

    await client.patch(
        f"/v1/projects/{project_id}",
        headers=alice,
        json={
            "ethics_confirmed": True,
            "public_benefit": "Better crime prevention",
            "data_source_acknowledged": True,
        },
    )
    submitted = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert submitted.status_code == 200, submitted.text
    [event] = await projects.events("srs.project.submitted.v1")
    assert event["_key"] == project_id and event["resubmission"] is False


async def test_full_review_journey_with_information_requested_and_conditions(
    projects, client, tokens
):
    alice = projects.researcher("res-alice")
    project_id = await projects.under_review(priority_requested=True)

    asked = await client.post(
        f"/v1/projects/{project_id}/request-information",
        json={"reason": "How will results be published?"},
        headers=projects.panel,
    )
    assert asked.json()["status"] == "information_requested"
    # While it is back with the lead, the panel cannot decide it.
    early = await client.post(
        f"/v1/projects/{project_id}/approve", json={"reason": "fine"}, headers=projects.panel
    )
    assert early.status_code == 409 and early.json()["current_state"] == "information_requested"

    edited = await client.patch(
        f"/v1/projects/{project_id}",
        headers=alice,
        json={"lay_summary": "Published as an open-access paper."},
    )
    assert edited.status_code == 200
    resubmitted = await client.post(f"/v1/projects/{project_id}/resubmit", headers=alice)
    assert resubmitted.json()["status"] == "resubmitted"

    approved = await client.post(
        f"/v1/projects/{project_id}/approve",
        headers=projects.panel,
        json={
            "reason": "Clear public benefit",
            "priority": True,
            "conditions": "Publish within 12 months",
        },
    )
    assert approved.status_code == 200
    body = approved.json()
    assert body["status"] == "approved" and body["conditions"] == "Publish within 12 months"
    assert [(d["action"], d["reason"]) for d in body["decisions"]] == [
        ("start_review", None),
        ("request_information", "How will results be published?"),
        ("approve", "Clear public benefit"),
    ]

    types = [e["_type"] for e in await projects.events()]
    assert types == [
        "srs.project.submitted.v1",
        "srs.project.information_requested.v1",
        "srs.project.submitted.v1",
        "srs.project.approved.v1",
    ]
    approved_event = (await projects.events("srs.project.approved.v1"))[0]
    assert approved_event["members"] == [{"researcher_id": "res-alice", "role": "lead"}]
    assert approved_event["priority"] is True
    assert approved_event["conditions"] == "Publish within 12 months"
    assert approved_event["legal_gateway"] == "DEA"
    assert (await projects.events("srs.project.submitted.v1"))[1]["resubmission"] is True

    # The same decisions, tamper-evident, in the projects service's audit log.
    support = tokens.headers("support")
    audit = await client.get(
        "/v1/audit/projects", params={"subject_id": project_id}, headers=support
    )
    assert audit.status_code == 200, audit.text
    entries = audit.json()["items"]
    assert [(e["action"], e["actor"], e["seq"]) for e in entries] == [
        ("project.start_review", body["decisions"][0]["decided_by"], 1),
        ("project.request_information", body["decisions"][1]["decided_by"], 2),
        ("project.approve", body["decisions"][2]["decided_by"], 3),
    ]
    assert entries[2]["detail"]["conditions"] == "Publish within 12 months"
    verified = await client.get("/v1/audit/projects/verification", headers=support)
    assert verified.json()["valid"] is True
    assert (await client.get("/v1/audit/projects", headers=alice)).status_code == 403
    assert await projects.events("srs.projects.audit_anchored.v1")


async def test_panel_cannot_decide_before_taking_it_under_review(projects, client):
    project_id = await projects.submitted()
    early = await client.post(
        f"/v1/projects/{project_id}/approve", json={"reason": "fine"}, headers=projects.panel
    )
    assert early.status_code == 409
    assert early.json()["current_state"] == "submitted"


async def test_rejection_with_reasons_and_a_second_decision_is_409(projects, client):
    project_id = await projects.under_review()
    rejected = await client.post(
        f"/v1/projects/{project_id}/reject",
        headers=projects.panel,
        json={"reason": "public benefit not demonstrated"},
    )
    assert rejected.json()["status"] == "rejected"
    [event] = await projects.events("srs.project.rejected.v1")
    assert event["reason"] == "public benefit not demonstrated"
    again = await client.post(
        f"/v1/projects/{project_id}/approve",
        headers=projects.panel,
        json={"reason": "changed my mind"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["current_state"] == "rejected"


async def test_concurrent_panel_decisions_exactly_one_wins(projects, client):
    for _ in range(3):
        project_id = await projects.under_review()
        results = await asyncio.gather(
            client.post(
                f"/v1/projects/{project_id}/approve",
                json={"reason": "approve it"},
                headers=projects.tokens.headers("panel", sub="panel-1"),
            ),
            client.post(
                f"/v1/projects/{project_id}/reject",
                json={"reason": "reject it"},
                headers=projects.tokens.headers("panel", sub="panel-2"),
            ),
            client.post(
                f"/v1/projects/{project_id}/approve",
                json={"reason": "me too"},
                headers=projects.tokens.headers("panel", sub="panel-3"),
            ),
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409, 409], [r.text for r in results]
        project = await projects.get(project_id)
        assert len([d for d in project["decisions"] if d["action"] != "start_review"]) == 1
    decisions = await projects.events("srs.project.approved.v1") + await projects.events(
        "srs.project.rejected.v1"
    )
    assert len(decisions) == 3


async def test_space_provisioned_activates_once_even_when_redelivered(projects, client, deliver):
    project_id = await projects.approved()
    event = event_from(
        ProjectSpaceProvisioned(
            project_id=project_id,
            space_id="spc_1",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-alice"],
            provisioned_at=dt.datetime.now(dt.UTC),
        ),
        subject=project_id,
        source="/srs/access",
    )
    assert await deliver(client, event=event) is True
    assert await deliver(client, event=event) is False
    project = await projects.get(project_id, projects.researcher("res-alice"))
    assert project["status"] == "active"
    [activated] = await projects.events("srs.project.activated.v1")
    assert activated["dataset_ids"] == ["ds-csew-2019"]


async def test_a_run_of_provisioned_spaces_activates_each_project_once(projects, client):
    """A fetched run of ``project_space.provisioned`` is applied together: each approved
    project becomes active once (a second space event for one of them changes nothing),
    and an unknown project is ignored."""
    ids = [await projects.approved() for _ in range(3)]
    at = dt.datetime.now(dt.UTC)

    def provisioned(project_id: str, offset: int) -> Any:
        payload = ProjectSpaceProvisioned(
            project_id=project_id,
            space_id=f"spc_{offset}",
            dataset_ids=["ds-csew-2019"],
            accounts_enabled=["res-alice"],
            provisioned_at=at,
        )
        return consumer_record(payload, subject=project_id, offset=offset, source="/srs/access")

    runtime = client.runtime
    runner = ConsumerRunner(runtime.db, runtime.settings, client.app.state.spec.handlers, [])
    subjects = [*ids, ids[0], "prj_unknown"]
    await runner.records.process_all([provisioned(s, n) for n, s in enumerate(subjects)])
    for project_id in ids:
        project = await projects.get(project_id, projects.researcher("res-alice"))
        assert project["status"] == "active"
    activated = await projects.events("srs.project.activated.v1")
    assert sorted(a["project_id"] for a in activated) == sorted(ids)


async def test_only_the_lead_edits_and_submits_and_only_while_a_draft(projects, client):
    await projects.accredit("res-bob")
    project_id = await projects.draft()
    alice = projects.researcher("res-alice")
    await client.post(
        f"/v1/projects/{project_id}/members",
        headers=alice,
        json={"researcher_id": "res-bob", "role": "researcher"},
    )
    bob = projects.researcher("res-bob")
    assert (await client.post(f"/v1/projects/{project_id}/submit", headers=bob)).status_code == 403
    assert (
        await client.patch(f"/v1/projects/{project_id}", json={"title": "Mine now"}, headers=bob)
    ).status_code == 403
    await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    late = await client.patch(
        f"/v1/projects/{project_id}", json={"title": "Changed later"}, headers=alice
    )
    assert late.status_code == 409 and late.json()["current_state"] == "submitted"
    twice = await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    assert twice.status_code == 409


async def test_members_inactive_at_approval_are_left_out_of_provisioning(projects, client):
    from srs_common.contracts.accreditation import AccreditationSuspended

    await projects.accredit("res-bob")
    project_id = await projects.draft()
    alice = projects.researcher("res-alice")
    await client.post(
        f"/v1/projects/{project_id}/members",
        headers=alice,
        json={"researcher_id": "res-bob", "role": "researcher"},
    )
    await client.post(f"/v1/projects/{project_id}/submit", headers=alice)
    await client.post(f"/v1/projects/{project_id}/review", headers=projects.panel)
    await projects.accredit("res-bob", contract=AccreditationSuspended, status="suspended")
    await client.post(
        f"/v1/projects/{project_id}/approve", json={"reason": "fine work"}, headers=projects.panel
    )
    [approved] = await projects.events("srs.project.approved.v1")
    assert approved["members"] == [{"researcher_id": "res-alice", "role": "lead"}]
