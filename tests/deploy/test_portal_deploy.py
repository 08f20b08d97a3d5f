"""The portal in deployment (docker-compose.yml and the Kubernetes overlays): its own host
and database, its secrets from the environment or Secrets, registered with the sign-in
provider at the address it is reached at, and given every service's API.

The settings it reads come from ``PortalSettings``; the provider's registration from
``AccessSettings``: a wrong redirect URI or issuer here is a sign-in that fails in
production, so these tests compare the two sides.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from .conftest import ROOT


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _named(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


# -- docker-compose.yml -----------------------------------------------------------------


def test_compose_registers_the_portal_with_the_embedded_provider(compose):
    portal = compose["services"]["portal"]["environment"]
    access = compose["services"]["access"]["environment"]
    public = portal["SRS_PORTAL_PUBLIC_URL"]
    assert "8008:8008" in compose["services"]["portal"]["ports"]
    assert public == "http://localhost:8008"
    # The provider accepts exactly the portal's callback and its return address.
    assert json.loads(access["SRS_ACCESS_PORTAL_REDIRECT_URIS"]) == [f"{public}/auth/callback"]
    assert json.loads(access["SRS_ACCESS_PORTAL_POST_LOGOUT_REDIRECT_URIS"]) == [f"{public}/"]
    assert portal["SRS_PORTAL_OIDC_CLIENT_ID"] == "srs-portal"
    # So does the operations console, from where operators open it.
    ops = compose["services"]["ops"]["environment"]
    console = ops["SRS_OPS_PUBLIC_URL"] + "/console"
    assert json.loads(access["SRS_ACCESS_CONSOLE_REDIRECT_URIS"]) == [f"{console}/auth/callback"]
    assert json.loads(access["SRS_ACCESS_CONSOLE_POST_LOGOUT_REDIRECT_URIS"]) == [console]
    assert ops["SRS_OPS_OIDC_ISSUER_URL"] == access["SRS_ACCESS_OIDC_ISSUER"]
    # One issuer name for the browser and the portal: a *.localhost name (the loopback
    # address to a browser) that is the access service's alias on the compose network.
    issuer = portal["SRS_PORTAL_OIDC_ISSUER_URL"]
    assert issuer == access["SRS_ACCESS_OIDC_ISSUER"]
    host = issuer.removeprefix("http://").split(":")[0]
    assert host.endswith(".localhost")
    aliases = compose["services"]["access"]["networks"]["default"]["aliases"]
    assert host in aliases
    assert f"{issuer.rsplit(':', 1)[1]}:8004" in compose["services"]["access"]["ports"]


def test_compose_runs_the_portal_after_its_migration_and_checks_its_health(compose):
    portal = compose["services"]["portal"]
    depends = {name: spec["condition"] for name, spec in portal["depends_on"].items()}
    assert depends == {
        "portal-migrate": "service_completed_successfully",
        "access": "service_healthy",
    }
    assert portal["healthcheck"]["test"] == ["CMD", "srs", "healthz"]
    # Its secrets come from the host's environment, never from the file.
    env = portal["environment"]
    for name in ("SRS_PORTAL_OIDC_CLIENT_SECRET", "SRS_PORTAL_SESSION_SECRET"):
        assert name in env and env[name] is None
    # Every e-mail links to where the portal is.
    notify = compose["services"]["notify"]["environment"]
    assert notify["SRS_NOTIFY_PORTAL_URL"] == env["SRS_PORTAL_PUBLIC_URL"]


def test_compose_portal_reaches_every_service_by_its_compose_name(compose, back_ends):
    env = compose["services"]["portal"]["environment"]
    urls = json.loads(env["SRS_PORTAL_SERVICE_URLS"])
    assert urls == {s.name: f"http://{s.name}:{s.port}" for s in back_ends}
    for name in urls:
        assert name in compose["services"]


# -- Kubernetes ---------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_serves_the_portal_on_its_own_host_with_tls(rendered, overlay):
    objects = rendered[overlay]
    ingress = _named(objects, "Ingress", "srs-portal")
    (rule,) = ingress["spec"]["rules"]
    assert ingress["spec"]["tls"] == [{"hosts": [rule["host"]], "secretName": "srs-portal-tls"}]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"] == {"name": "srs-portal", "port": {"name": "http"}}
    # Not the API origin's host: the portal's cookies and CSP stay apart from the APIs.
    api_hosts = {
        r["host"]
        for i in objects
        if i["kind"] == "Ingress" and i["metadata"]["name"] != "srs-portal"
        for r in i["spec"]["rules"]
    }
    assert rule["host"] not in api_hosts
    config = _named(objects, "ConfigMap", "srs-portal-config")["data"]
    assert config["SRS_PORTAL_PUBLIC_URL"] == f"https://{rule['host']}"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_registers_the_portal_with_the_embedded_provider(rendered, overlay):
    objects = rendered[overlay]
    portal = _named(objects, "ConfigMap", "srs-portal-config")["data"]
    access = _named(objects, "ConfigMap", "srs-access-config")["data"]
    notify = _named(objects, "ConfigMap", "srs-notify-config")["data"]
    public = portal["SRS_PORTAL_PUBLIC_URL"]
    assert json.loads(access["SRS_ACCESS_PORTAL_REDIRECT_URIS"]) == [f"{public}/auth/callback"]
    assert json.loads(access["SRS_ACCESS_PORTAL_POST_LOGOUT_REDIRECT_URIS"]) == [f"{public}/"]
    # The issuer is the API origin, which routes the provider's pages to access.
    assert portal["SRS_PORTAL_OIDC_ISSUER_URL"] == access["SRS_ACCESS_OIDC_ISSUER"]
    assert portal["SRS_PORTAL_OIDC_ISSUER_URL"] == access["SRS_ACCESS_PUBLIC_URL"]
    assert notify["SRS_NOTIFY_PORTAL_URL"] == public
    # The operations console, on the API origin, is the provider's other client.
    ops = _named(objects, "ConfigMap", "srs-ops-config")["data"]
    console = ops["SRS_OPS_PUBLIC_URL"] + "/console"
    assert json.loads(access["SRS_ACCESS_CONSOLE_REDIRECT_URIS"]) == [f"{console}/auth/callback"]
    assert json.loads(access["SRS_ACCESS_CONSOLE_POST_LOGOUT_REDIRECT_URIS"]) == [console]
    assert ops["SRS_OPS_OIDC_ISSUER_URL"] == access["SRS_ACCESS_OIDC_ISSUER"]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_kubernetes_runs_the_portal_with_probes_secrets_and_its_database(
    rendered, overlay, front_ends
):
    (portal,) = front_ends
    objects = rendered[overlay]
    known = {f"{portal.env_prefix}{name.upper()}" for name in type(portal.settings).model_fields}
    deployment = _named(objects, "Deployment", "srs-portal")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["serve"]
    assert container["ports"] == [{"name": "http", "containerPort": portal.port}]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["image"].split("/")[-1].startswith("srs-portal:")
    env = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert set(env) <= known
    assert env == {
        "SRS_PORTAL_DATABASE_URL": {"name": "srs-portal-database", "key": "url"},
        "SRS_PORTAL_OIDC_CLIENT_SECRET": {"name": "srs-portal-oidc", "key": "client-secret"},
        "SRS_PORTAL_SESSION_SECRET": {"name": "srs-portal-session", "key": "secret"},
    }
    config = _named(objects, "ConfigMap", "srs-portal-config")["data"]
    assert set(config) <= known
    assert config["SRS_PORTAL_PORT"] == str(portal.port)
    job = _named(objects, "Job", "srs-portal-migrate")
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["args"] == ["migrate"] and migrate["image"] == container["image"]
    # No relay or worker: the portal has no outbox and consumes nothing.
    names = {o["metadata"]["name"] for o in objects if o["kind"] == "Deployment"}
    assert not {"srs-portal-relay", "srs-portal-worker"} & names


def test_kubernetes_portal_calls_every_service_and_nothing_else(rendered, back_ends):
    objects = rendered["prod"]
    config = _named(objects, "ConfigMap", "srs-portal-config")["data"]
    urls = json.loads(config["SRS_PORTAL_SERVICE_URLS"])
    assert set(urls) == {s.name for s in back_ends}
    for name, url in urls.items():
        api = _named(objects, "Service", f"srs-{name}")
        assert url == f"http://srs-{name}:{api['spec']['ports'][0]['port']}"
    policy = _named(objects, "NetworkPolicy", "srs-portal")["spec"]
    (ingress,) = policy["ingress"]
    assert ingress["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]
    egress = {
        json.dumps(peer, sort_keys=True): rule["ports"]
        for rule in policy["egress"]
        for peer in rule["to"]
    }
    for service in back_ends:
        peer = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{service.name}"}}}
        assert egress[json.dumps(peer, sort_keys=True)] == [
            {"protocol": "TCP", "port": service.port}
        ]
        # And each service's own policy lets the portal in.
        theirs = _named(objects, "NetworkPolicy", f"srs-{service.name}")["spec"]["ingress"][0]
        portal = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "srs-portal"}}}
        part_of = {"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "srs"}}}
        assert portal in theirs["from"] or part_of in theirs["from"], service.name
    # Out of the cluster: HTTPS only (the OpenID Connect provider).
    outside = [ports for peer, ports in egress.items() if "ipBlock" in peer]
    assert outside == [[{"protocol": "TCP", "port": 443}]]
