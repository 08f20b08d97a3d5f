"""The portal refuses to start in production with its development secrets, like every
service: the session cookie's signing secret and the OIDC client secret are named."""

from __future__ import annotations

import secrets

import pytest
from pydantic import SecretStr

from srs_common.config import InsecureSettings, PlatformSettings
from srs_portal.app import create_app
from srs_portal.settings import PortalSettings


def production(**secrets_: SecretStr) -> PortalSettings:
    return PortalSettings(platform=PlatformSettings(environment="production"), **secrets_)


def test_the_portal_refuses_its_development_secrets_in_production():
    with pytest.raises(InsecureSettings) as refused:
        create_app(production())
    assert "SRS_PORTAL_SESSION_SECRET" in str(refused.value)
    assert "SRS_PORTAL_OIDC_CLIENT_SECRET" in str(refused.value)


def test_the_portal_starts_in_production_with_its_own_secrets():
    app = create_app(
        production(
            session_secret=SecretStr(secrets.token_urlsafe(32)),
            oidc_client_secret=SecretStr(secrets.token_urlsafe(32)),
        )
    )
    assert app.title
