"""The deployment files run the platform in production mode and give every service each
secret that production mode demands (docs/guides/keys.md), from a Secret or the host's
environment, never as a value in the file.

The secrets a service needs are read from its settings (``production_problems`` with
nothing set), so a new secret setting that the deployment files miss fails here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from srs_common.config import PlatformSettings

from .conftest import ROOT, CodeService


def required_secrets(service: CodeService, tmp_path: Path) -> set[str]:
    """The environment variables ``service`` refuses to start without in production."""
    settings = type(service.settings)(
        platform=PlatformSettings(environment="production"),
        # Never the development key file a local run leaves under var/.
        **({"signing_key_path": tmp_path / "none.pem"} if service.name == "access" else {}),
    )
    return {name.split("[")[0] for name in settings.production_problems()}


def test_access_the_portal_and_the_console_need_their_keys_and_others_none(services, tmp_path):
    needed = {s.name: required_secrets(s, tmp_path) for s in services}
    assert needed.pop("access") == {
        "SRS_ACCESS_SIGNING_KEY_PEM",
        "SRS_ACCESS_CLIENT_SECRET_PEPPER",
        "SRS_ACCESS_PSEUDONYMISATION_KEYS",
        "SRS_ACCESS_PORTAL_CLIENT_SECRET",
        "SRS_ACCESS_CONSOLE_CLIENT_SECRET",
    }
    # The operations console signs operators in like the portal does.
    assert needed.pop("ops") == {"SRS_OPS_CONSOLE_CLIENT_SECRET", "SRS_OPS_CONSOLE_SESSION_SECRET"}
    assert needed.pop("portal") == {"SRS_PORTAL_OIDC_CLIENT_SECRET", "SRS_PORTAL_SESSION_SECRET"}
    assert all(not secrets for secrets in needed.values()), needed


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_runs_in_production_mode_with_every_secret_from_a_secret(
    rendered, services, overlay, tmp_path
):
    objects: list[dict[str, Any]] = rendered[overlay]
    (platform,) = [
        o for o in objects if o["kind"] == "ConfigMap" and o["metadata"]["name"] == "srs-platform"
    ]
    assert platform["data"]["SRS_ENVIRONMENT"] == "production"
    for service in services:
        needed = required_secrets(service, tmp_path)
        deployments = [
            o
            for o in objects
            if o["kind"] == "Deployment"
            and o["metadata"]["labels"]["app.kubernetes.io/name"] == f"srs-{service.name}"
        ]
        assert {d["metadata"]["name"] for d in deployments} >= {f"srs-{service.name}"}
        for deployment in deployments:
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            env = {e["name"]: e for e in container.get("env", [])}
            for name in needed:
                where = f"{deployment['metadata']['name']} {name}"
                assert name in env, f"{where} is not given"
                assert "secretKeyRef" in env[name].get("valueFrom", {}), f"{where}: not a Secret"


def test_compose_runs_in_production_mode_with_every_secret_from_the_environment(services, tmp_path):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in services:
        spec = compose["services"][service.name]
        env = spec["environment"]
        assert env["SRS_ENVIRONMENT"] == "${SRS_ENVIRONMENT:-production}", service.name
        for name in required_secrets(service, tmp_path):
            assert name in env, f"{service.name}: {name} is not passed through"
            # No value: Compose passes the host's (or .env's) value through, or none.
            assert env[name] is None, f"{service.name}: {name} has a value in the file"
