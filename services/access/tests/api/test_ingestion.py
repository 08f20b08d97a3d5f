"""Data and code ingestion: uploaded files checked by what they are, decided by the SRS
team, transferred into the project space; who may not see or act."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from srs_common.contracts import projects as prj

ALICE = {"researcher_id": "res-alice"}
BOB = {"researcher_id": "res-bob"}  # Alice's co-member on prj-1
CAROL = {"researcher_id": "res-carol"}  # a researcher of another project (prj-2)
FORM = {"project_id": "prj-1", "kind": "code", "description": "Stata do-files I wrote"}
OWN_CODE = [("files", ("derive.do", b"use earnings\ngen x = 1\n", "text/plain"))]


def _cran_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("fixest/DESCRIPTION", "Package: fixest\nRepository: CRAN\n")
        archive.writestr("fixest/R/est.R", "feols <- function() 1\n")
    return buffer.getvalue()


@pytest.fixture
async def client(service_client, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(
        "access",
        ingestion_files_dir=tmp_path / "uploads",
        project_spaces_dir=tmp_path / "spaces",
        ingestion_max_files=3,
        ingestion_max_file_bytes=1024 * 1024,
    ) as c:
        yield c


@pytest.fixture
async def projects(world) -> None:
    await world.ready_project()
    await world.register("res-bob")
    await world.accredit("res-bob")
    await world.member(prj.ProjectMemberAdded, "prj-1", "res-bob")
    await world.ready_project("prj-2", "res-carol")


async def _submit(client, tokens, files=OWN_CODE, who=ALICE, **form) -> httpx.Response:
    return await client.post(
        "/v1/ingestion-requests",
        data={**FORM, **form},
        files=files,
        headers=tokens.headers("researcher", **who),
    )


async def test_own_code_goes_submitted_checked_approved_transferred(
    client, tokens, world, projects, tmp_path
):
    created = await _submit(client, tokens)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "checked" and body["check_passed"] is True
    assert body["findings"] == [] and [f["name"] for f in body["files"]] == ["derive.do"]
    rid = body["id"]
    approved = await client.post(
        f"/v1/ingestion-requests/{rid}/approval",
        json={"reason": "own code"},
        headers=tokens.headers("support", sub="staff-1"),
    )
    assert approved.json()["status"] == "approved" and approved.json()["decided_by"] == "staff-1"
    moved = await client.post(
        f"/v1/ingestion-requests/{rid}/transfer", headers=tokens.headers("support")
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "transferred"
    location = moved.json()["transferred_to"]
    assert location == f"prj-1/ingested/{rid}"
    copied = tmp_path / "spaces" / location / "derive.do"
    assert copied.read_bytes() == b"use earnings\ngen x = 1\n"
    types = [t for t, _ in await world.outbox() if t.startswith("srs.ingestion.")]
    assert types == [
        "srs.ingestion.requested.v1",
        "srs.ingestion.checked.v1",
        "srs.ingestion.approved.v1",
        "srs.ingestion.transferred.v1",
    ]
    again = await client.post(
        f"/v1/ingestion-requests/{rid}/refusal",
        json={"reason": "no"},
        headers=tokens.headers("support"),
    )
    assert again.status_code == 409 and again.json()["current_state"] == "transferred"
    audit = await client.get("/v1/audit/access", headers=tokens.headers("ops"))
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions[-2:] == ["ingestion_decision", "ingestion_transfer"]


async def test_an_r_package_in_a_zip_fails_the_check_and_can_only_be_refused(
    client, tokens, world, projects
):
    created = await _submit(
        client,
        tokens,
        files=[("files", ("my-analysis.zip", _cran_zip(), "application/zip"))],
        description="my own analysis, honestly",
    )
    body = created.json()
    assert body["status"] == "checked" and body["check_passed"] is False
    [finding] = body["findings"]
    assert finding["file"] == "my-analysis.zip!fixest/DESCRIPTION"
    assert finding["severity"] == "refuse" and "CRAN" in finding["reason"]
    approve = await client.post(
        f"/v1/ingestion-requests/{body['id']}/approval", json={}, headers=tokens.headers("support")
    )
    assert approve.status_code == 422 and approve.json()["rule"] == "check_failed"
    no_reason = await client.post(
        f"/v1/ingestion-requests/{body['id']}/refusal", json={}, headers=tokens.headers("support")
    )
    assert no_reason.status_code == 422 and no_reason.json()["rule"] == "reason"
    refused = await client.post(
        f"/v1/ingestion-requests/{body['id']}/refusal",
        json={"reason": "the zip holds the fixest package from CRAN"},
        headers=tokens.headers("support"),
    )
    assert refused.json()["status"] == "refused"
    [(_, event)] = await world.outbox("srs.ingestion.refused.v1")
    assert event["reason"] == "the zip holds the fixest package from CRAN"


async def test_who_may_not_see_or_act(client, tokens, projects):
    support = tokens.headers("support")
    rid = (await _submit(client, tokens)).json()["id"]
    carol = tokens.headers("researcher", **CAROL)
    stranger = tokens.headers("researcher", researcher_id="res-nobody")
    # A researcher of another project and a non-member: not found, not listed, no upload.
    for headers in (carol, stranger):
        assert (
            await client.get(f"/v1/ingestion-requests/{rid}", headers=headers)
        ).status_code == 404
        assert (await client.get("/v1/ingestion-requests", headers=headers)).json()["items"] == []
        withdrawn = await client.post(f"/v1/ingestion-requests/{rid}/withdrawal", headers=headers)
        assert withdrawn.status_code == 404
    assert (await _submit(client, tokens, who=CAROL)).status_code == 404
    # Bob shares the space, so he sees the request, but only Alice may withdraw it.
    bob = tokens.headers("researcher", **BOB)
    assert (await client.get(f"/v1/ingestion-requests/{rid}", headers=bob)).status_code == 200
    bob_withdraws = await client.post(f"/v1/ingestion-requests/{rid}/withdrawal", headers=bob)
    assert bob_withdraws.status_code == 403
    # Only support decides and transfers; researchers, checkers and ops may not.
    for headers in (
        tokens.headers("researcher", **ALICE),
        tokens.headers("checker"),
        tokens.headers("ops"),
    ):
        for action in ("approval", "refusal"):
            answer = await client.post(
                f"/v1/ingestion-requests/{rid}/{action}", json={"reason": "x"}, headers=headers
            )
            assert answer.status_code == 403
        moved = await client.post(f"/v1/ingestion-requests/{rid}/transfer", headers=headers)
        assert moved.status_code == 403
    # Staff cannot upload in a researcher's name.
    assert (
        await client.post("/v1/ingestion-requests", data=FORM, files=OWN_CODE, headers=support)
    ).status_code == 403
    # Not approved yet: nothing to transfer.
    early = await client.post(f"/v1/ingestion-requests/{rid}/transfer", headers=support)
    assert early.status_code == 409


async def test_the_researcher_withdraws_before_a_decision(client, tokens, projects):
    alice = tokens.headers("researcher", **ALICE)
    rid = (await _submit(client, tokens)).json()["id"]
    withdrawn = await client.post(f"/v1/ingestion-requests/{rid}/withdrawal", headers=alice)
    assert withdrawn.json()["status"] == "withdrawn"
    late = await client.post(
        f"/v1/ingestion-requests/{rid}/approval", json={}, headers=tokens.headers("support")
    )
    assert late.status_code == 409 and late.json()["current_state"] == "withdrawn"
    listed = await client.get("/v1/ingestion-requests?status=withdrawn", headers=alice)
    assert [r["id"] for r in listed.json()["items"]] == [rid]


async def test_bad_uploads_are_4xx_naming_the_problem(client, tokens, projects):
    too_many = [("files", (f"f{i}.do", b"x = 1\n", "text/plain")) for i in range(4)]
    answer = await _submit(client, tokens, files=too_many)
    assert answer.status_code == 422 and answer.json()["rule"] == "too_many_files"
    big = [("files", ("big.csv", b"x" * (1024 * 1024 + 1), "text/csv"))]
    answer = await _submit(client, tokens, files=big)
    assert answer.status_code == 422 and "big.csv" in answer.json()["detail"]
    twice = [("files", ("a.do", b"1", "text/plain")), ("files", ("../a.do", b"2", "text/plain"))]
    answer = await _submit(client, tokens, files=twice)
    assert answer.status_code == 422 and answer.json()["rule"] == "duplicate_file_name"
    answer = await _submit(client, tokens, kind="binary")
    assert answer.status_code == 422
    answer = await _submit(client, tokens, files=[])
    assert answer.status_code == 422


async def test_names_are_sanitised(client, tokens, projects):
    files = [("files", ("../../etc/pass wd;rm -rf.do", b"x = 1\n", "text/plain"))]
    body = (await _submit(client, tokens, files=files)).json()
    assert [f["name"] for f in body["files"]] == ["pass wd_rm -rf.do"]


async def test_an_archived_space_refuses(client, tokens, world, projects):
    rid = (await _submit(client, tokens)).json()["id"]
    approved = await client.post(
        f"/v1/ingestion-requests/{rid}/approval", json={}, headers=tokens.headers("support")
    )
    assert approved.json()["status"] == "approved"
    await world.send(
        prj.ProjectCompleted(
            project_id="prj-1",
            organisation_id="org-ntu",
            lead_researcher_id="res-alice",
            member_ids=["res-alice", "res-bob"],
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        "prj-1",
    )
    answer = await _submit(client, tokens)
    assert answer.status_code == 422 and answer.json()["rule"] == "space_archived"
    moved = await client.post(
        f"/v1/ingestion-requests/{rid}/transfer", headers=tokens.headers("support")
    )
    assert moved.status_code == 422 and moved.json()["rule"] == "space_archived"


async def test_over_long_form_fields_are_422_naming_the_field(client, tokens, projects):
    for field, value in (("project_id", "p" * 41), ("description", "d" * 2001)):
        answer = await _submit(client, tokens, **{field: value})
        assert answer.status_code == 422
        assert f"body.{field}" in {e["field"] for e in answer.json()["errors"]}
