"""Production mode refuses development keys: every service, every secret setting.

With ``SRS_ENVIRONMENT=production`` (the deployment files set it) a service whose secret is
still its development default, empty or too weak does not start, and the error names the
setting; with proper keys it starts and serves. Development mode keeps the defaults
working and says so once.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from srs_access.seed import seed_demo_users
from srs_access.settings import AccessSettings
from srs_accreditation.settings import AccreditationSettings
from srs_booking.settings import BookingSettings
from srs_clearance.settings import ClearanceSettings
from srs_common import config
from srs_common.config import InsecureSettings
from srs_common.testing import ServiceUnderTest, Tokens, platform_settings
from srs_notify.settings import NotifySettings
from srs_ops.settings import OpsSettings
from srs_projects.settings import ProjectsSettings

SERVICES = {
    sut.name: sut
    for sut in (
        ServiceUnderTest("accreditation", "srs_accreditation", AccreditationSettings),
        ServiceUnderTest("projects", "srs_projects", ProjectsSettings),
        ServiceUnderTest("clearance", "srs_clearance", ClearanceSettings),
        ServiceUnderTest("access", "srs_access", AccessSettings),
        ServiceUnderTest("booking", "srs_booking", BookingSettings),
        ServiceUnderTest("ops", "srs_ops", OpsSettings),
        ServiceUnderTest("notify", "srs_notify", NotifySettings),
    )
}


def key_material() -> str:
    return secrets.token_urlsafe(32)


def rsa_pem(bits: int) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


WEAK_RSA = rsa_pem(1024)


def proper_secrets(service: str, tokens: Tokens, tmp_path: Path) -> dict[str, Any]:
    """Production-grade values for every secret setting of ``service``."""
    if service == "access":
        return {
            "client_secret_pepper": key_material(),
            "pseudonymisation_keys": {"k1": key_material()},
            "portal_client_secret": key_material(),
            "console_client_secret": key_material(),
            "signing_key_pem": tokens.key.private_pem,
            # Never a development key file lying around in the working directory.
            "signing_key_path": tmp_path / "no-such-key.pem",
        }
    if service == "ops":  # the console's client secret and session key
        return {"console_client_secret": key_material(), "console_session_secret": key_material()}
    return {}


def production(tokens: Tokens) -> Any:
    return platform_settings(tokens).model_copy(update={"environment": "production"})


PEPPER = "SRS_ACCESS_CLIENT_SECRET_PEPPER"
PSEUDONYMISATION = "SRS_ACCESS_PSEUDONYMISATION_KEYS[k1]"
PORTAL = "SRS_ACCESS_PORTAL_CLIENT_SECRET"
SIGNING = "SRS_ACCESS_SIGNING_KEY_PEM"
# (service, the one setting made unfit, its value or None for the development default,
# the environment variable the error must name, what it must say)
UNFIT = [
    ("access", "client_secret_pepper", None, PEPPER, "development default"),
    ("access", "client_secret_pepper", "", PEPPER, "is empty"),
    ("access", "client_secret_pepper", "pepper-of-24-characters!", PEPPER, "24 bytes"),
    ("access", "client_secret_pepper", "x" * 40, PEPPER, "too few distinct"),
    ("access", "client_secret_pepper_previous", "short", PEPPER + "_PREVIOUS", "5 bytes"),
    ("access", "pseudonymisation_keys", None, PSEUDONYMISATION, "development default"),
    ("access", "pseudonymisation_keys", {"k1": "short"}, PSEUDONYMISATION, "5 bytes"),
    ("access", "pseudonymisation_keys", {"k1": ""}, PSEUDONYMISATION, "is empty"),
    ("access", "portal_client_secret", None, PORTAL, "development default"),
    ("access", "portal_client_secret", "", PORTAL, "is empty"),
    ("access", "signing_key_pem", None, SIGNING, "never generates"),
    ("access", "signing_key_pem", WEAK_RSA, SIGNING, "RSA 1024 bits"),
    ("access", "signing_key_pem", "not a key", SIGNING, "not a PEM RSA"),
    ("access", "signing_key_previous_pem", WEAK_RSA, SIGNING[:-4] + "_PREVIOUS_PEM", "RSA 1024"),
    ("access", "signing_key_next_pem", "", SIGNING[:-4] + "_NEXT_PEM", "not a PEM RSA"),
    (
        "ops",
        "webhook_test_allowed_networks",
        ["127.0.0.1/32"],
        "SRS_OPS_WEBHOOK_TEST_ALLOWED_NETWORKS",
        "test-only",
    ),
    ("ops", "webhook_allow_http", True, "SRS_OPS_WEBHOOK_ALLOW_HTTP", "plain-http"),
]


@pytest.mark.parametrize(
    ("service", "setting", "value", "env", "why"),
    UNFIT,
    ids=[f"{u[0]}-{u[1]}-{u[4].replace(' ', '_')}" for u in UNFIT],
)
def test_a_service_refuses_to_start_in_production_with_an_unfit_secret(
    service, setting, value, env, why, tokens, tmp_path
):
    values = proper_secrets(service, tokens, tmp_path)
    values.pop(setting, None)
    if value is not None:
        values[setting] = value
    sut = SERVICES[service]
    settings = sut.settings_class(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        platform=production(tokens),
        **values,
    )
    with pytest.raises(InsecureSettings) as refused:
        sut.create_app(settings)
    assert set(refused.value.problems) == {env}
    assert why in refused.value.problems[env]
    assert env in str(refused.value) and "SRS_ENVIRONMENT=production" in str(refused.value)


@pytest.mark.parametrize("service", sorted(SERVICES))
async def test_every_service_starts_in_production_with_proper_keys(
    service, service_client, tokens, tmp_path
):
    overrides = proper_secrets(service, tokens, tmp_path)
    async with service_client(service, platform=production(tokens), **overrides) as client:
        assert client.app.state.settings.platform.environment == "production"
        assert (await client.get("/healthz")).status_code == 200
        if service == "access":  # the issuer signs with the production key
            async with client.runtime.db.transaction() as session:
                await seed_demo_users(session)
            granted = await client.post(
                "/v1/auth/token",
                data={"grant_type": "password", "username": "support", "password": "support-demo"},
            )
            assert granted.status_code == 200, granted.text
            bearer = {"Authorization": f"Bearer {granted.json()['access_token']}"}
            assert (
                await client.get("/v1/audit/access/verification", headers=bearer)
            ).status_code == 200


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_production_from_the_environment_refuses_only_where_defaults_remain(
    service, monkeypatch, tmp_path
):
    """The deployment files set SRS_ENVIRONMENT; services that hold no secret start."""
    monkeypatch.setenv("SRS_ENVIRONMENT", "production")
    monkeypatch.setenv("SRS_ACCESS_SIGNING_KEY_PATH", str(tmp_path / "none.pem"))
    monkeypatch.setenv("SRS_LOG_JSON", "false")
    sut = SERVICES[service]
    settings = sut.settings_class(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    assert settings.platform.environment == "production"
    expected = {
        "access": {
            "SRS_ACCESS_CLIENT_SECRET_PEPPER",
            "SRS_ACCESS_PSEUDONYMISATION_KEYS[k1]",
            "SRS_ACCESS_PORTAL_CLIENT_SECRET",
            "SRS_ACCESS_CONSOLE_CLIENT_SECRET",
            "SRS_ACCESS_SIGNING_KEY_PEM",
        },
        "ops": {"SRS_OPS_CONSOLE_CLIENT_SECRET", "SRS_OPS_CONSOLE_SESSION_SECRET"},
    }
    if service not in expected:
        assert sut.create_app(settings) is not None
        return
    with pytest.raises(InsecureSettings) as refused:
        sut.create_app(settings)
    assert set(refused.value.problems) == expected[service]


@pytest.mark.parametrize("command", ["serve", "relay", "worker"])
def test_the_command_line_exits_naming_the_settings_before_serving(command, tmp_path):
    env = {
        **os.environ,
        "SRS_ENVIRONMENT": "production",
        "SRS_ACCESS_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'access.db'}",
        "SRS_ACCESS_SIGNING_KEY_PEM": rsa_pem(2048),
        "SRS_ACCESS_PSEUDONYMISATION_KEYS": json.dumps({"k1": key_material()}),
        "SRS_ACCESS_PORTAL_CLIENT_SECRET": key_material(),
        "SRS_ACCESS_CONSOLE_CLIENT_SECRET": key_material(),
        "SRS_ACCESS_PORT": "1",  # never bound: it must exit before serving
    }
    env.pop("SRS_ACCESS_CLIENT_SECRET_PEPPER", None)
    done = subprocess.run(
        [sys.executable, "-m", "srs_access", command],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "refuses to start in production mode" in done.stderr
    assert "SRS_ACCESS_CLIENT_SECRET_PEPPER is the development default" in done.stderr
    assert "Uvicorn running" not in done.stdout + done.stderr


def test_development_mode_accepts_the_defaults_and_warns_once(
    tokens, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(config, "_warned_development", False)
    sut = SERVICES["access"]
    settings = sut.settings_class(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
        platform=platform_settings(tokens),
        signing_key_path=tmp_path / "keys" / "dev.pem",
    )
    assert settings.platform.environment == "development"
    sut.create_app(settings)
    sut.create_app(settings)
    warnings = [line for line in capsys.readouterr().out.splitlines() if "development mode" in line]
    assert len(warnings) == 1
    assert "SRS_ACCESS_CLIENT_SECRET_PEPPER" in warnings[0] and "WARNING" in warnings[0]
