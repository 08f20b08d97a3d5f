"""The first cross-service flow: panel approval -> project space -> project active."""

from __future__ import annotations

import httpx
import pytest

from srs_common.devstack import SERVICES

from .conftest import login, wait_for

pytestmark = pytest.mark.e2e


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


def draft_project(stack, alice) -> str:
    """Alice drafts a project once the projects service has learnt of her accreditation
    (the accreditation service's seed publishes it; the read model fills from events)."""

    def created():
        response = httpx.post(
            f"{stack.url('projects')}/v1/projects", headers=alice, json=APPLICATION
        )
        if response.status_code == 422 and response.json().get("rule") == "accreditation_required":
            return None
        assert response.status_code == 201, response.text
        return response.json()["id"]

    project_id, _ = wait_for(created, timeout=30, interval=0.2)
    return project_id


def test_approved_project_becomes_active_through_the_bus(stack):
    projects = stack.url("projects")
    alice, panel = login(stack, "alice"), login(stack, "panel")
    project_id = draft_project(stack, alice)
    assert (
        httpx.post(f"{projects}/v1/projects/{project_id}/submit", headers=alice).status_code == 200
    )
    assert (
        httpx.post(f"{projects}/v1/projects/{project_id}/review", headers=panel).status_code == 200
    )

    approved = httpx.post(
        f"{projects}/v1/projects/{project_id}/approve",
        headers={**panel, "X-Correlation-ID": f"e2e-{project_id}"},
        json={"reason": "Clear public benefit"},
    )
    assert approved.status_code == 200, approved.text

    def active():
        body = httpx.get(f"{projects}/v1/projects/{project_id}", headers=alice).json()
        return body if body["status"] == "active" else None

    project, elapsed = wait_for(active, timeout=5)
    print(f"\nproject active {elapsed * 1000:.0f} ms after approval")
    assert project["activated_at"] is not None

    support = login(stack, "support")
    space = httpx.get(f"{stack.url('access')}/v1/project-spaces/{project_id}", headers=support)
    assert space.status_code == 200
    assert sorted(space.json()["dataset_ids"]) == ["ds-ashe-2021", "ds-csew-2019"]

    # The correlation id of the approval request followed the saga into the access
    # service's consumer logs.
    log = (stack.var_dir / "logs" / "access.log").read_text()
    assert f"e2e-{project_id}" in log


def test_every_service_is_ready_and_documents_itself(stack):
    for service in SERVICES:
        base = stack.url(service)
        assert httpx.get(f"{base}/readyz").json()["checks"] == {"database": "ok", "broker": "ok"}
        spec = httpx.get(f"{base}/openapi.json").json()
        assert spec["info"]["title"] == f"SRS {service}"
        # Metrics on their own port, never on the API port the ingress exposes.
        assert httpx.get(f"{base}/metrics").status_code == 404
        metrics = httpx.get(stack.metrics_url(service)).text
        assert "srs_http_request_duration_seconds" in metrics
