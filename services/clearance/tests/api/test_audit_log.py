"""Every decision and download on an output request is in the clearance service's
hash-chained, anchored audit log, about the subject ("output", id), with who, when and
why; support and ops read the whole log, a request's trail reads its part of it."""

from __future__ import annotations

from sqlalchemy import update

from srs_clearance.models import audit_log


async def _log(world, **params) -> list[dict]:
    response = await world.client.get(
        "/v1/audit/clearance", params=params, headers=world.as_("support")
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_decisions_and_downloads_are_in_the_audit_log(world):
    output_id = await world.approved()
    body = (await world.client.get(f"/v1/outputs/{output_id}", headers=world.as_("alice"))).json()
    file_id = body["groups"][0]["files"][0]["id"]
    download = await world.client.get(
        f"/v1/outputs/{output_id}/files/{file_id}", headers=world.as_("checker2")
    )
    assert download.status_code == 200

    entries = await _log(world, subject_type="output", subject_id=output_id)
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("output.submitted", "res-alice"),
        ("output.review_started", "chk-1"),
        ("output.reviewed", "chk-1"),
        ("output.reviewed", "chk-2"),
        ("output.approved", "chk-1"),
        ("output.downloaded", "chk-2"),
    ]
    assert {(e["researcher_id"], e["project_id"]) for e in entries} == {("res-alice", "prj_a")}
    assert entries[-2]["detail"] == {"text": "safe", "file_id": None}
    assert entries[-1]["detail"]["file_id"] == file_id
    verified = await world.client.get(
        "/v1/audit/clearance/verification", headers=world.as_("support")
    )
    assert verified.json()["valid"] is True and verified.json()["entries_checked"] == 6
    assert await world.events("srs.clearance.audit_anchored.v1")


async def test_a_requests_trail_reads_the_log_and_its_verification(world):
    output_id = await world.approved()
    other = await world.submitted("bob")
    trail = (
        await world.client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("support"))
    ).json()
    # Only this request's entries, each with the hash the log sealed it with.
    assert [e["action"] for e in trail["entries"]] == [
        "submitted",
        "review_started",
        "reviewed",
        "reviewed",
        "approved",
    ]
    assert trail["intact"] is True and all(e["entry_hash"] for e in trail["entries"])
    # Editing another request's entry breaks the one chain every trail is verified on.
    async with world.client.runtime.db.transaction() as session:
        await session.execute(
            update(audit_log.entries)
            .where(audit_log.entries.c.subject_id == other)
            .values(actor="someone-else")
        )
    tampered = (
        await world.client.get(f"/v1/outputs/{output_id}/audit", headers=world.as_("support"))
    ).json()
    assert tampered["intact"] is False


async def test_only_support_and_ops_read_the_audit_log(world, tokens):
    await world.approved()
    for who in ("alice", "checker1", "partner"):
        for path in ("/v1/audit/clearance", "/v1/audit/clearance/verification"):
            response = await world.client.get(path, headers=world.as_(who))
            assert response.status_code == 403, (who, path)
    assert (await world.client.get("/v1/audit/clearance")).status_code == 401
    ops = await world.client.get("/v1/audit/clearance", headers=tokens.headers("ops"))
    assert ops.status_code == 200 and ops.json()["items"]
