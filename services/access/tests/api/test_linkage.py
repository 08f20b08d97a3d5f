"""Linkage results from the projects service: a project's IDBR linked extract is mapped
into its space (once), and an agreed linked dataset joins the catalogue (once) with the
most restrictive settings of its sources; a declined one changes nothing."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import linkage as lnk
from srs_common.testing import event_from

AT = dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC)


def completed(project_id: str = "prj-1") -> lnk.LinkageTaskCompleted:
    return lnk.LinkageTaskCompleted(
        task_id="lnk-1",
        project_id=project_id,
        organisation_id="org-ntu",
        lead_researcher_id="res-alice",
        method="crn",
        extract_id="idbr-lnk-1",
        extract_title="IDBR linked extract (CRN matching)",
        matched_count=412,
        unmatched_count=9,
        note="Nine are dissolved.",
        occurred_at=AT,
    )


async def test_a_completed_task_maps_its_extract_into_the_project_space(
    client, tokens, world, deliver
):
    await world.ready_project("prj-1", "res-alice")
    event = event_from(completed(), subject="prj-1")
    assert await deliver(client, event=event) is True
    await world.send(completed(), "prj-1")  # the same result under a new event id

    space = await client.get("/v1/project-spaces/prj-1", headers=tokens.headers("support"))
    [extract] = space.json()["linked_extracts"]
    assert extract["id"] == "idbr-lnk-1" and extract["matched_count"] == 412
    assert extract["title"] == "IDBR linked extract (CRN matching)"
    # The lead sees it in their space too; someone else's space stays hidden.
    alice = tokens.headers("researcher", researcher_id="res-alice")
    mine = await client.get("/v1/project-spaces/prj-1", headers=alice)
    assert [e["id"] for e in mine.json()["linked_extracts"]] == ["idbr-lnk-1"]
    stranger = tokens.headers("researcher", researcher_id="res-mallory")
    assert (await client.get("/v1/project-spaces/prj-1", headers=stranger)).status_code == 404

    trail = await client.get(
        "/v1/audit/access", headers=tokens.headers("support"), params={"project_id": "prj-1"}
    )
    actions = [e["action"] for e in trail.json()["items"]]
    assert actions.count("linked_extract.mapped") == 1


def decided(outcome: str, dataset_id: str | None, sources: list[str]) -> lnk.LinkedDatasetDecided:
    return lnk.LinkedDatasetDecided(
        request_id="ldr-1",
        requested_by="res-alice",
        outcome=outcome,
        reasons="Strong need",
        dataset_id=dataset_id,
        title="ASHE linked to mortality",
        source_dataset_ids=sources,
        occurred_at=AT,
    )


async def test_an_agreed_linked_dataset_joins_the_catalogue_once(client, tokens, world):
    await world.seed()
    support = tokens.headers("support")
    sources = ["ds-ashe-2021", "ds-mortality-2020"]
    await world.send(decided("declined", None, sources), "ldr-0")
    await world.send(decided("agreed", "ds-linked-ashe-mortality", sources), "ldr-1")
    await world.send(decided("agreed", "ds-linked-ashe-mortality", sources), "ldr-1")

    dataset = await client.get("/v1/datasets/ds-linked-ashe-mortality", headers=support)
    assert dataset.status_code == 200, dataset.text
    body = dataset.json()
    assert body["title"] == "ASHE linked to mortality"
    # The most restricted source decides: safe setting only, threshold 10 over 5; two
    # owners' data linked by ONS.
    assert body["access_level"] == "safe_setting"
    assert body["disclosure_threshold"] == 10
    assert body["owner"] == "ONS"
    catalogued = [
        p for _, p in await world.outbox("srs.dataset.catalogued.v1")
        if p["dataset_id"] == "ds-linked-ashe-mortality"
    ]  # fmt: skip
    assert len(catalogued) == 1
