"""What the journeys share: the project application Alice drafts, waiting for a condition
the platform reaches asynchronously, and an active project with its members."""

from __future__ import annotations

import time

import httpx

APPLICATION = {
    "title": "Burglary security effectiveness in England and Wales",
    "organisation_id": "org-ntu",
    "legal_gateway": "DEA",
    "dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
    "lay_summary": "Which home security measures protect households against burglary.",
    "public_benefit": "Evidence for crime prevention advice to the public and police.",
    "expected_start_date": "2027-01-04",
    "expected_end_date": "2027-06-30",
    "ethics_confirmed": True,
    "data_source_acknowledged": True,
}
ALICE = "res-alice"


def wait_until(predicate, timeout: float = 60, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"condition not met within {timeout}s: {predicate.__doc__}")


def active_project(ctx, client: httpx.Client, members: list[str]) -> str:
    """Alice drafts a project naming ``members``; the panel approves; wait until active."""
    from rows import _headers

    base = ctx.stack.url("projects")
    alice = _headers(ctx, "researcher", sub=ALICE, researcher_id=ALICE)
    panel = _headers(ctx, "panel", sub="bench-panel")

    def drafted():
        """projects knows alice's accreditation"""
        r = client.post(f"{base}/v1/projects", headers=alice, json=APPLICATION)
        return r.json()["id"] if r.status_code == 201 else None

    project_id = wait_until(drafted)
    for researcher_id in members:

        def added(researcher_id=researcher_id):
            """projects knows the member's accreditation"""
            r = client.post(
                f"{base}/v1/projects/{project_id}/members",
                headers=alice,
                json={"researcher_id": researcher_id, "role": "researcher"},
            )
            assert r.status_code in (201, 422), r.text
            return r.status_code == 201

        wait_until(added)
    client.post(f"{base}/v1/projects/{project_id}/submit", headers=alice).raise_for_status()
    client.post(f"{base}/v1/projects/{project_id}/review", headers=panel).raise_for_status()
    client.post(
        f"{base}/v1/projects/{project_id}/approve", headers=panel, json={"reason": "bench"}
    ).raise_for_status()

    def active():
        """the project is active"""
        return (
            client.get(f"{base}/v1/projects/{project_id}", headers=alice).json()["status"]
            == "active"
        )

    wait_until(active)
    return project_id
