"""Several services in one process (srs_common.together): when one of them cannot start,
the others are stopped in order and the process fails, rather than serving half a
platform. (Whole journeys against every service in one process: tests/e2e, the portal's
stack.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

from srs_common.broker import free_port


def test_a_service_that_cannot_start_stops_the_others_and_fails_the_process(tmp_path):
    with socket.socket() as taken:  # notify's port, already someone else's
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        accreditation_port = free_port()
        env = {
            **os.environ,
            "SRS_KAFKA_BOOTSTRAP": "127.0.0.1:1",
            "SRS_LOG_JSON": "true",
            "SRS_ACCREDITATION_PORT": str(accreditation_port),
            "SRS_NOTIFY_PORT": str(taken.getsockname()[1]),
        }
        for service in ("accreditation", "notify"):
            prefix = f"SRS_{service.upper()}"
            env[f"{prefix}_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/{service}.db"
            env[f"{prefix}_RUN_RELAY"] = env[f"{prefix}_RUN_CONSUMERS"] = "false"
        finished = subprocess.run(
            [sys.executable, "-m", "srs_common.together", "accreditation", "notify"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert finished.returncode == 1, finished.stderr[-2000:]
    lines = [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]
    said = [(line["service"], line["message"]) for line in lines]
    assert ("services", "notify could not start: stopping every service") in said
    # Accreditation had started: it is stopped, its lifespan ended, in its own name.
    assert ("accreditation", "Application shutdown complete.") in said
    assert said.index(("accreditation", "Application shutdown complete.")) > said.index(
        ("services", "notify could not start: stopping every service")
    )
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", accreditation_port)) != 0
