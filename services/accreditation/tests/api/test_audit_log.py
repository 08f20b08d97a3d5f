"""The panel's decisions and support's actions are in the accreditation service's
hash-chained audit log, each with who, about what, and why; only support and ops read it."""

from __future__ import annotations


async def audit(client, flow, **params) -> list[dict]:
    response = await client.get("/v1/audit/accreditation", params=params, headers=flow.support)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_decisions_and_actions_are_audited_with_their_reasons(client, flow, events):
    granted = await flow.accredit("res-alice", "full")
    await flow.register("res-bob")
    asked = await flow.submitted("res-bob")
    question = await client.post(
        f"/v1/applications/{asked['id']}/request-information",
        json={"reason": "which training course?"},
        headers=flow.panel,
    )
    assert question.status_code == 200, question.text
    resubmitted = await flow.submit("res-bob", asked["id"])
    assert resubmitted.status_code == 200, resubmitted.text
    rejected = await client.post(
        f"/v1/applications/{asked['id']}/reject",
        json={"reason": "not enough evidence"},
        headers=flow.panel,
    )
    assert rejected.status_code == 200, rejected.text
    suspended = await client.post(
        f"/v1/accreditations/{granted['id']}/suspend",
        json={"reason": "under investigation"},
        headers=flow.support,
    )
    assert suspended.status_code == 200, suspended.text
    moved = await client.post(
        "/v1/researchers/res-alice/organisation",
        json={"organisation_id": "org-ucl", "reason": "moved to UCL"},
        headers=flow.support,
    )
    assert moved.status_code == 200, moved.text

    entries = await audit(client, flow)
    assert [(e["action"], e["actor"], e["subject_type"]) for e in entries] == [
        ("application.approved", "panel-1", "application"),
        ("application.information_requested", "panel-1", "application"),
        ("application.rejected", "panel-1", "application"),
        ("accreditation.suspend", "support-1", "accreditation"),
        ("researcher.change_organisation", "support-1", "researcher"),
    ]
    approved, question_entry, rejection, suspension, move = entries
    assert approved["detail"]["reason"] == "meets the criteria"
    assert question_entry["detail"]["question"] == "which training course?"
    assert rejection["detail"]["reason"] == "not enough evidence"
    assert suspension["subject_id"] == granted["id"] and suspension["outcome"] == "suspended"
    assert move["detail"] == {"from": "org-ntu", "to": "org-ucl", "reason": "moved to UCL"}
    assert {e["researcher_id"] for e in await audit(client, flow, researcher_id="res-bob")} == {
        "res-bob"
    }
    verified = await client.get("/v1/audit/accreditation/verification", headers=flow.support)
    assert verified.json()["valid"] is True and verified.json()["entries_checked"] == 5
    assert await events("srs.accreditation.audit_anchored.v1")


async def test_only_support_and_ops_read_the_audit_log(client, flow, tokens):
    for headers in (flow.panel, flow.researcher("res-alice"), flow.partner("org-ntu")):
        for path in ("/v1/audit/accreditation", "/v1/audit/accreditation/verification"):
            assert (await client.get(path, headers=headers)).status_code == 403, path
    assert (await client.get("/v1/audit/accreditation")).status_code == 401
    ops = await client.get("/v1/audit/accreditation", headers=tokens.headers("ops"))
    assert ops.status_code == 200
