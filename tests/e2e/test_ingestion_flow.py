"""Data and code ingestion over the bus with real processes: the panel approves Alice's
project -> access provisions its space -> Alice uploads her code (checked at once) ->
support approves and transfers it into the space -> the notifier, hearing
srs.ingestion.transferred on the bus, e-mails Alice (the stack's SMTP sink)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import httpx
import pytest

from .conftest import login, wait_for
from .test_first_flow import draft_project

pytestmark = pytest.mark.e2e

CODE = b"use earnings, clear\ngen log_wage = log(wage)\n"


def _mail_about(stack, request_id: str) -> str | None:
    for path in sorted((Path(stack.var_dir) / "mail").glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        if request_id in text:
            return f"{message['Subject']}\n{text}"
    return None


def test_a_request_goes_submitted_checked_approved_transferred_and_alice_is_told(stack):
    projects, access = stack.url("projects"), stack.url("access")
    alice, panel, support = login(stack, "alice"), login(stack, "panel"), login(stack, "support")
    project_id = draft_project(stack, alice)
    for path, headers, body in (
        ("submit", alice, None),
        ("review", panel, None),
        ("approve", panel, {"reason": "Clear public benefit"}),
    ):
        response = httpx.post(
            f"{projects}/v1/projects/{project_id}/{path}", headers=headers, json=body
        )
        assert response.status_code == 200, response.text

    def uploaded():
        # 404 until access has heard of the project and provisioned its space.
        response = httpx.post(
            f"{access}/v1/ingestion-requests",
            headers=alice,
            data={"project_id": project_id, "kind": "code", "description": "My do-files"},
            files=[("files", ("derive.do", CODE, "text/plain"))],
        )
        if response.status_code == 404:
            return None
        assert response.status_code == 201, response.text
        return response.json()

    created, elapsed = wait_for(uploaded, timeout=30, interval=0.2)
    print(f"\nthe space took the upload {elapsed * 1000:.0f} ms after approval")
    assert created["status"] == "checked" and created["check_passed"] is True
    url = f"{access}/v1/ingestion-requests/{created['id']}"
    approved = httpx.post(f"{url}/approval", headers=support, json={"reason": "Own code"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    moved = httpx.post(f"{url}/transfer", headers=support)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "transferred"
    location = moved.json()["transferred_to"]
    copied = Path(stack.var_dir) / "project-spaces" / location / "derive.do"
    assert copied.read_bytes() == CODE

    mail, elapsed = wait_for(lambda: _mail_about(stack, created["id"]), timeout=60, interval=0.2)
    print(f"the notice was sent {elapsed * 1000:.0f} ms after the transfer")
    assert mail.startswith(f"Data or code transferred: {project_id}")
    assert "derive.do" in mail and location in mail
    assert f"/projects/{project_id}/ingestion/{created['id']}" in mail
