"""``python -m srs_<svc> relay|worker``: the background parts alone, with an HTTP face for
probes (and metrics on a port of their own) but no API."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx

from srs_common.broker import free_port
from srs_common.testing import database_url_for, prepare_database
from srs_projects import MIGRATIONS_DIR


def test_relay_process_serves_probes_and_metrics_but_no_api(broker, srs_tmp, tokens):
    url = database_url_for("projects", srs_tmp, suffix="_cli")
    prepare_database(url, MIGRATIONS_DIR)
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "SRS_PROJECTS_DATABASE_URL": url,
        "SRS_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SRS_JWKS_JSON": tokens.jwks_json,
        "SRS_LOG_JSON": "false",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "srs_projects",
            "relay",
            "--port",
            str(port),
            "--metrics-port",
            str(metrics_port),
        ],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "relay process never became ready"
            assert process.poll() is None, "relay process exited"
            time.sleep(0.05)
        assert (
            httpx.get(f"{base}/v1/projects/x", headers=tokens.headers("support")).status_code == 404
        )
        state = httpx.get(f"{base}/v1/messaging", headers=tokens.headers("ops")).json()
        assert state["consumer"] is None
        deadline = time.monotonic() + 15
        while not httpx.get(f"{base}/v1/messaging", headers=tokens.headers("ops")).json()["relay"][
            "active"
        ]:
            assert time.monotonic() < deadline, "relay never took the lease"
            time.sleep(0.05)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics").text
        assert 'srs_relay_active{service="projects"} 1.0' in metrics
        # Never on the API port.
        assert httpx.get(f"{base}/metrics").status_code == 404
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
