"""Drafting, files, submission and the automatic checks on submission."""

from __future__ import annotations

import json

from srs_common.contracts import projects

from ..conftest import FAILING_CSV, FREQUENCY_CSV, NOW, ORG, PROJECT


async def test_submission_runs_the_checks_and_sets_the_service_level(world):
    output_id = await world.submitted(files=[("t.csv", FAILING_CSV)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["status"] == "checked"
    assert body["automatic_status"] == "fail"
    assert body["due_at"] == "2026-12-02T10:00:00Z"  # five working days after Wednesday
    file = body["groups"][0]["files"][0]
    assert file["check"]["cells"] == [
        {"key": ["South", "2021"], "status": "fail", "reasons": ["threshold"]}
    ]
    types = [e["type"] for e in await world.events()]
    assert types == ["srs.output.submitted.v1", "srs.output.checked.v1"]
    checked = (await world.events("srs.output.checked.v1"))[0]
    assert checked["automatic_status"] == "fail" and checked["organisation_id"] == ORG


async def test_an_exception_below_threshold_never_passes_automatically(world):
    output_id = await world.submitted(
        files=[("t.csv", FREQUENCY_CSV)],
        exception_justification="The rare-group estimate is "
        "essential to the policy question and safe because...",
    )
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "review"
    assert body["check_report"]["exception_requested"] is True


async def test_a_new_table_differencing_a_cleared_one_goes_to_review_naming_it(world):
    cleared = await world.approved(files=[("t.csv", FREQUENCY_CSV)])
    near = b"region,year,count\nNorth,2021,124\nSouth,2021,40\n"
    output_id = await world.submitted(files=[("t2.csv", near)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "review"
    check = body["groups"][0]["files"][0]["check"]
    assert check["differencing"] == [
        {"key": ["North", "2021"], "difference": 4, "exposed_by": cleared}
    ]
    assert check["cells"] == [
        {"key": ["North", "2021"], "status": "review", "reasons": ["differencing"]}
    ]


async def test_code_file_findings_are_reported_with_line_numbers(world):
    code = b"import pandas as pd\ndf = pd.read_csv('x.csv')\nprint(df.head())\n"
    output_id = await world.submitted(kind="code_file", files=[("analysis.py", code)])
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    assert body["automatic_status"] == "review"
    findings = body["groups"][0]["files"][0]["check"]["findings"]
    assert {
        "line": 3,
        "rule": "row-level",
        "severity": "review",
        "detail": "selects a single entity or prints row-level data",
    } in findings
    assert any(f["rule"] == "annotation" for f in findings)


async def test_uploads_refuse_bad_types_sizes_and_tables_with_clear_422(
    world, service_client, tmp_path
):
    output_id = await world.draft(files=[])
    group_id = (
        await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))
    ).json()["groups"][0]["id"]
    exe = await world.upload(output_id, group_id, "tool.exe", b"MZ")
    assert exe.status_code == 422 and exe.json()["rule"] == "file_type"
    bad_table = await world.upload(output_id, group_id, "t.csv", b"region,n\nNorth,3\n")
    assert bad_table.status_code == 422 and "'count' column" in bad_table.json()["detail"]
    world.client.app.state.settings.max_file_bytes = 1024
    too_big = await world.upload(output_id, group_id, "big.txt", b"x" * 1025)
    assert too_big.status_code == 422
    assert too_big.json()["title"] == "File too large"
    code_request = await world.draft(kind="code_file", files=[])
    code_group = (
        await world.client.get(f"/v1/outputs/{code_request}", headers=world.as_("alice"))
    ).json()["groups"][0]["id"]
    table_in_code = await world.upload(code_request, code_group, "t.csv", FREQUENCY_CSV)
    assert table_in_code.status_code == 422


async def test_files_are_stored_by_content_hash(world, tmp_path):
    import hashlib

    output_id = await world.draft()
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    sha = body["groups"][0]["files"][0]["sha256"]
    assert sha == hashlib.sha256(FREQUENCY_CSV).hexdigest()
    assert (tmp_path / "outputs" / sha[:2] / sha).read_bytes() == FREQUENCY_CSV


async def test_submission_needs_groups_with_underlying_counts(world):
    empty = await world.client.post(
        "/v1/outputs",
        headers=world.as_("alice"),
        json={"project_id": PROJECT, "kind": "publication", "title": "Report"},
    )
    empty_id = empty.json()["id"]
    refused = await world.client.post(f"/v1/outputs/{empty_id}/submit", headers=world.as_("alice"))
    assert refused.status_code == 422 and refused.json()["rule"] == "groups"
    only_pdf = await world.draft(files=[("report.pdf", b"%PDF-1.4 report")])
    refused = await world.client.post(f"/v1/outputs/{only_pdf}/submit", headers=world.as_("alice"))
    assert refused.status_code == 422 and refused.json()["rule"] == "underlying_counts"
    body = (await world.client.get(f"/v1/outputs/{only_pdf}", headers=world.as_("alice"))).json()
    assert body["status"] == "draft"  # nothing half-written
    assert await world.events() == []


async def test_group_needs_context_and_controls(world):
    output_id = await world.draft(files=[])
    response = await world.client.post(
        f"/v1/outputs/{output_id}/groups", headers=world.as_("alice"), json={"name": "T2"}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"body.context", "body.controls"} <= fields


async def test_who_may_draft(world):
    async def create(who, project_id=PROJECT, **extra):
        return await world.client.post(
            "/v1/outputs",
            headers=world.as_(who),
            json={"project_id": project_id, "kind": "pre_publication", "title": "Tables", **extra},
        )

    assert (await create("eve")).status_code == 404  # not a member
    peer = await create("pat")
    assert peer.status_code == 403 and "peer reviewers" in peer.json()["detail"]
    assert (await create("checker1")).status_code == 403
    unknown_dataset = await create("alice", dataset_ids=["ds-other"])
    assert unknown_dataset.status_code == 422
    await world.deliver(
        world.client,
        projects.ProjectMemberDeactivated(
            project_id=PROJECT,
            organisation_id=ORG,
            researcher_id="res-bob",
            role="researcher",
            occurred_at=NOW,
        ),
        subject=PROJECT,
    )
    assert (await create("bob")).status_code == 403
    await world.deliver(
        world.client,
        projects.ProjectSuspended(
            project_id=PROJECT, organisation_id=ORG, reason="ethics lapsed", occurred_at=NOW
        ),
        subject=PROJECT,
    )
    suspended = await create("alice")
    assert suspended.status_code == 409 and suspended.json()["current_state"] == "suspended"
    await world.deliver(
        world.client,
        projects.ProjectResumed(project_id=PROJECT, organisation_id=ORG, occurred_at=NOW),
        subject=PROJECT,
    )
    assert (await create("alice")).status_code == 201


async def test_only_the_requester_changes_a_draft_and_only_while_a_draft(world):
    output_id = await world.draft()
    group = await world.client.post(
        f"/v1/outputs/{output_id}/groups",
        headers=world.as_("bob"),
        json={"name": "x", "context": "what it is, at length", "controls": "none"},
    )
    assert group.status_code == 404  # bob may not see alice's draft
    await world.client.post(f"/v1/outputs/{output_id}/submit", headers=world.as_("alice"))
    late = await world.client.post(
        f"/v1/outputs/{output_id}/groups",
        headers=world.as_("alice"),
        json={"name": "x", "context": "what it is, at length", "controls": "none"},
    )
    assert late.status_code == 409 and late.json()["current_state"] == "checked"
    bob_upload = await world.upload(output_id, "grp_x", "t.csv", FREQUENCY_CSV, who="bob")
    assert bob_upload.status_code == 403


async def test_withdraw_before_a_decision_only(world):
    output_id = await world.submitted()
    bob = await world.client.post(f"/v1/outputs/{output_id}/withdraw", headers=world.as_("bob"))
    assert bob.status_code == 403
    response = await world.client.post(
        f"/v1/outputs/{output_id}/withdraw", headers=world.as_("alice")
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert [e["type"] for e in await world.events("srs.output.withdrawn.v1")]
    again = await world.client.post(f"/v1/outputs/{output_id}/withdraw", headers=world.as_("alice"))
    assert again.status_code == 409 and again.json()["current_state"] == "withdrawn"
    decided = await world.approved()
    late = await world.client.post(f"/v1/outputs/{decided}/withdraw", headers=world.as_("alice"))
    assert late.status_code == 409 and late.json()["current_state"] == "approved"


async def test_contract_payloads_validate(world):
    from srs_common.contracts import contract_for

    await world.approved()
    for event in await world.events():
        payload = {k: v for k, v in event.items() if k not in {"type", "subject"}}
        contract_for(event["type"]).model_validate(payload)
        assert json.dumps(payload)


async def test_impossible_magnitude_cells_are_refused_at_upload(world):
    output_id = await world.draft(files=[])
    group_id = (
        await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))
    ).json()["groups"][0]["id"]
    bad = await world.upload(
        output_id,
        group_id,
        "m.csv",
        b"region,count,sum,largest,second_largest\nNorth,12,100,10,50\n",
    )
    assert bad.status_code == 422
    assert "second_largest exceeds largest" in bad.json()["detail"]
