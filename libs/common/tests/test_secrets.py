"""The production-mode check of srs_common.config on a service's own secret settings: found
by their type, whatever the service calls them, and judged against their defaults."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from srs_common.config import (
    InsecureSettings,
    PlatformSettings,
    ServiceSettings,
    check_secrets,
    secret_strength_problem,
)


class ExampleSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_EXAMPLE_", extra="ignore")

    service_name: str = "example"
    hmac_key: SecretStr = SecretStr("example-development-hmac-key-not-for-production")
    keys_by_id: dict[str, SecretStr] = {"a": SecretStr("example-development-key-a-not-for-prod")}
    # Optional, with no development default (an SMTP password): never judged.
    relay_password: SecretStr | None = None


def production(**values: object) -> ExampleSettings:
    return ExampleSettings(platform=PlatformSettings(environment="production"), **values)


def strong() -> str:
    return secrets.token_urlsafe(32)


def test_every_secret_setting_is_found_by_its_type_and_named_by_its_variable():
    settings = production()
    assert settings.production_problems() == {
        "SRS_EXAMPLE_HMAC_KEY": "is the development default",
        "SRS_EXAMPLE_KEYS_BY_ID[a]": "is the development default",
    }
    with pytest.raises(InsecureSettings) as refused:
        check_secrets(settings)
    message = str(refused.value)
    assert message.startswith("example refuses to start in production mode")
    assert "SRS_EXAMPLE_HMAC_KEY is the development default" in message
    assert "SRS_EXAMPLE_KEYS_BY_ID[a] is the development default" in message


def test_proper_secrets_pass_and_an_unset_optional_one_is_not_judged():
    settings = production(hmac_key=strong(), keys_by_id={"a": strong(), "b": strong()})
    assert settings.production_problems() == {}
    check_secrets(settings)  # does not raise
    with_password = production(hmac_key=strong(), keys_by_id={"a": strong()}, relay_password="pw")
    assert with_password.production_problems() == {}


def test_a_development_default_under_another_key_id_is_still_refused():
    moved = production(
        hmac_key=strong(), keys_by_id={"b": "example-development-key-a-not-for-prod"}
    )
    assert moved.production_problems() == {
        "SRS_EXAMPLE_KEYS_BY_ID[b]": "is the development default"
    }


def test_development_mode_accepts_the_defaults():
    settings = ExampleSettings()
    assert settings.platform.environment == "development"
    check_secrets(settings)  # does not raise
    assert set(settings.production_problems()) == {
        "SRS_EXAMPLE_HMAC_KEY",
        "SRS_EXAMPLE_KEYS_BY_ID[a]",
    }


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p", "is too weak: 31 bytes, at least 32 needed"),
        ("changeme" * 5, "is too weak: too few distinct characters to be random key material"),
        ("0123456789abcdef0123456789abcdef", None),
        ("é" * 10 + "0123456789abcd", None),
    ],
)
def test_strength(value, problem):
    assert secret_strength_problem(value) == problem
