"""Keycloak as the production-style OpenID Connect provider (deploy/compose.keycloak.yml and
the realm it imports, deploy/keycloak/srs-realm.json), checked offline.

The realm must give the portal and the console the clients they sign in with, and give
every token the claims the services read (``srs_common.auth``): a token shaped the way the
realm's mappers shape it is signed here and verified by the platform's own verifier with
the issuer and audience the override gives the services.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

import jsonschema
import pytest
import yaml
from jose import jwt

from srs_common.auth import ROLES, StaticKeys, TokenVerifier
from srs_common.config import PlatformSettings
from srs_common.tokens import SigningKey, jwks

from .conftest import DEPLOY, ROOT

REALM = DEPLOY / "keycloak" / "srs-realm.json"
OVERRIDE = DEPLOY / "compose.keycloak.yml"
STAFF_AND_PEOPLE = {"researcher", "panel", "checker", "support", "data_owner", "ops"}


@pytest.fixture(scope="module")
def realm() -> dict[str, Any]:
    return json.loads(REALM.read_text())


@pytest.fixture(scope="module")
def override() -> dict[str, Any]:
    return yaml.safe_load(OVERRIDE.read_text())


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def issuer(override) -> str:
    hostname = override["services"]["keycloak"]["environment"]["KC_HOSTNAME"]
    return f"{hostname}/realms/{json.loads(REALM.read_text())['realm']}"


def _client(realm: dict[str, Any], client_id: str) -> dict[str, Any]:
    (client,) = [c for c in realm["clients"] if c["clientId"] == client_id]
    return client


def _mappers(realm: dict[str, Any], client: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mapper that shapes the client's tokens: its own and its default scopes' (the
    realm defines none of its own: Keycloak then creates its built-in scopes)."""
    scopes = {s["name"]: s for s in realm.get("clientScopes", [])}
    found = list(client.get("protocolMappers", []))
    for name in client["defaultClientScopes"]:
        found += scopes.get(name, {}).get("protocolMappers", [])
    return found


def _access_token_claims(realm, client, user: dict[str, Any]) -> dict[str, Any]:
    """The claims the realm's mappers put in ``user``'s access token for ``client``."""
    claims: dict[str, Any] = {}
    audiences = []
    for mapper in _mappers(realm, client):
        config = mapper["config"]
        if config.get("access.token.claim") != "true":
            continue
        kind = mapper["protocolMapper"]
        if kind == "oidc-usermodel-realm-role-mapper":
            assert config["multivalued"] == "true"
            claims[config["claim.name"]] = list(user["realmRoles"])
        elif kind == "oidc-usermodel-attribute-mapper":
            value = user["attributes"].get(config["user.attribute"])
            if value is not None:
                claims[config["claim.name"]] = value
        elif kind == "oidc-audience-mapper":
            audiences.append(config["included.custom.audience"])
    return {**claims, "aud": audiences}


def test_the_realm_file_is_valid_and_holds_the_platform_roles(realm):
    assert realm["realm"] == "srs" and realm["enabled"] is True
    # Client scopes of its own would stop Keycloak creating the built-in ones (basic: `sub`;
    # email: `email_verified`), which the clients use.
    assert "clientScopes" not in realm
    for client in realm["clients"]:
        assert {"basic", "email"} <= set(client["defaultClientScopes"])
    roles = {r["name"] for r in realm["roles"]["realm"]}
    assert roles == STAFF_AND_PEOPLE
    assert roles <= ROLES  # every one is a role the services know
    # A self-service sign-up is a researcher, and confirms the address first.
    assert "researcher" in realm["defaultRole"]["composites"]["realm"]
    assert realm["verifyEmail"] is True
    assert realm["bruteForceProtected"] is True
    assert realm["accessTokenLifespan"] <= 900


@pytest.mark.parametrize(
    ("client_id", "callback"),
    [
        ("srs-portal", ("portal", "SRS_PORTAL_PUBLIC_URL", "/auth/callback")),
        ("srs-ops-console", ("ops", "SRS_OPS_PUBLIC_URL", "/console/auth/callback")),
    ],
)
def test_the_sign_in_clients_are_confidential_with_pkce(
    realm, override, compose, client_id, callback
):
    client = _client(realm, client_id)
    assert client["publicClient"] is False
    assert client["clientAuthenticatorType"] == "client-secret"
    assert client["attributes"]["pkce.code.challenge.method"] == "S256"
    assert client["standardFlowEnabled"] is True
    assert client["implicitFlowEnabled"] is False
    assert client["directAccessGrantsEnabled"] is False
    # The secret is never in the file: a placeholder Keycloak fills from its environment,
    # which the override gives it from the host's.
    (placeholder,) = re.fullmatch(r"\$\{([A-Z_]+)\}", client["secret"]).groups()
    assert placeholder in override["services"]["keycloak"]["environment"]
    service, public_setting, path = callback
    env = compose["services"][service]["environment"]
    public = env[public_setting]
    assert client["redirectUris"] == [public + path]
    # The portal's client secret setting is the very variable Keycloak reads.
    if service == "portal":
        assert placeholder == "SRS_PORTAL_OIDC_CLIENT_SECRET" and placeholder in env


def test_the_tokens_carry_what_the_services_read(realm, override, issuer):
    """A token shaped by the realm's mappers passes the platform's verifier with the
    issuer and audience the override gives every service, and yields the person's roles,
    researcher id and organisation."""
    env = override["services"]["accreditation"]["environment"]
    assert env["SRS_JWT_ISSUER"] == issuer
    claims = _access_token_claims(
        realm,
        _client(realm, "srs-portal"),
        {
            "realmRoles": ["researcher", "default-roles-srs"],
            "attributes": {"researcher_id": "res-1234", "org": "org-ntu"},
        },
    )
    key = SigningKey.generate()
    now = int(time.time())
    token = jwt.encode(
        {**claims, "iss": issuer, "sub": "f3b1c2", "iat": now, "exp": now + 300},
        key.signer,
        algorithm="RS256",
        headers={"kid": key.kid},
    )
    verifier = TokenVerifier(
        StaticKeys(jwks(key)),
        issuer=env["SRS_JWT_ISSUER"],
        audience=PlatformSettings().jwt_audience,
    )
    principal = asyncio.run(verifier.verify(token))
    # Keycloak's own composite role is not one of the platform's: dropped.
    assert principal.roles == {"researcher"}
    assert (principal.researcher_id, principal.org) == ("res-1234", "org-ntu")


def test_the_override_points_the_portal_and_every_service_at_keycloak(
    override, compose, issuer, services
):
    keycloak = override["services"]["keycloak"]
    image, _, version = keycloak["image"].partition(":")
    assert image == "quay.io/keycloak/keycloak"
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin Keycloak by version"
    assert "--import-realm" in keycloak["command"]
    assert (
        "./deploy/keycloak/srs-realm.json:/opt/keycloak/data/import/srs-realm.json:ro"
        in (keycloak["volumes"])
    )
    host, port = re.fullmatch(
        r"http://([^:/]+):(\d+)", keycloak["environment"]["KC_HOSTNAME"]
    ).groups()
    # One issuer name for browser and containers, as for the embedded provider.
    assert host.endswith(".localhost") and host in keycloak["networks"]["default"]["aliases"]
    assert f"{port}:{port}" in keycloak["ports"] and f"--http-port={port}" in keycloak["command"]
    assert "healthcheck" in keycloak
    portal = override["services"]["portal"]
    assert portal["environment"]["SRS_PORTAL_OIDC_ISSUER_URL"] == issuer
    for service in services:
        if service.front_end:
            continue
        spec = override["services"][service.name]
        assert spec["environment"]["SRS_JWT_ISSUER"] == issuer, service.name
        assert spec["environment"]["SRS_JWKS_URL"] == f"{issuer}/protocol/openid-connect/certs"
        assert spec["depends_on"]["keycloak"]["condition"] == "service_healthy"
        # Overrides only: every service it names exists in the main file.
        assert service.name in compose["services"]
    assert override["services"]["ops"]["environment"]["SRS_OPS_OIDC_ISSUER_URL"] == issuer


def test_the_override_is_valid_compose(override):
    schema = json.loads((ROOT / "tests" / "deploy" / "schemas" / "compose-spec.json").read_text())
    errors = list(jsonschema.Draft201909Validator(schema).iter_errors(override))
    assert errors == []
