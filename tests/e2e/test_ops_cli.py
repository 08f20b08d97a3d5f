"""The operators' command line against the running platform."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from .conftest import login
from .test_ops_console import approve, new_submitted_project

pytestmark = pytest.mark.e2e


def srs(stack, *args: str, role: str = "support") -> subprocess.CompletedProcess[str]:
    token = login(stack, role)["Authorization"].removeprefix("Bearer ")
    env = {**os.environ, "SRS_OPS_URL": stack.url("ops"), "SRS_TOKEN": token, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "srs_ops.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_tail_lag_and_dead_letters_from_the_command_line(stack):
    project_id = new_submitted_project(stack)
    approve(stack, project_id, f"cli-{project_id}")

    tail = srs(
        stack,
        "events",
        "tail",
        "--after",
        "0",
        "--subject",
        project_id,
        "--type",
        "srs.project_space.provisioned.v1",
        "--count",
        "1",
        role="ops",
    )
    assert tail.returncode == 0, tail.stderr
    assert "srs.project_space.provisioned.v1" in tail.stdout
    assert f"corr=cli-{project_id}" in tail.stdout

    lag = srs(stack, "lag", "--group", "srs-access", role="ops")
    assert lag.returncode == 0, lag.stderr
    assert "srs-access" in lag.stdout and "srs.projects" in lag.stdout

    listed = srs(stack, "dlq", "list", "--state", "open")
    assert listed.returncode == 0 and "consumer" in listed.stdout

    refused = srs(stack, "dlq", "replay", "987654", "--reason", "try", role="ops")
    assert refused.returncode == 1
    assert "403" in refused.stdout + refused.stderr
    missing = srs(stack, "dlq", "replay", "987654", "--reason", "try")
    assert missing.returncode == 1 and "404" in missing.stdout
    assert "replayed 0 of 1" in missing.stdout

    no_token = subprocess.run(
        [sys.executable, "-m", "srs_ops.cli", "lag"],
        env={k: v for k, v in os.environ.items() if k != "SRS_TOKEN"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert no_token.returncode != 0 and "no token" in no_token.stderr
    assert httpx.get(f"{stack.url('ops')}/readyz").status_code == 200
