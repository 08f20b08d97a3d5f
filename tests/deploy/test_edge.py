"""The one API origin: the Kubernetes ingress and the compose gateway route every route of
every service, by path, to that service, with the body limits and streaming its routes need.

The routes are read from each service's own OpenAPI document and body limits
(``ServiceSpec.body_limits``, the ``max_body_bytes`` and ``max_file_bytes`` settings), never
listed here; a rule is chosen the way the ingress chooses it (an ``Exact`` path first, then
the longest ``Prefix`` by whole path elements; nginx: ``location =`` first, then the longest
prefix).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
GATEWAY = ROOT / "deploy" / "compose" / "gateway.conf"
COMPOSE = ROOT / "docker-compose.yml"
# Answered by every service for itself, in-cluster only (probes, the ops monitor's poll).
IN_CLUSTER = {"/healthz", "/readyz", "/v1/messaging"}
# What each service serves under its own prefix for its readers (srs_common.apidocs).
DOCS = ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui-bundle.js")
ANNOTATION = "nginx.ingress.kubernetes.io/"


@dataclass(frozen=True)
class Rule:
    """One path of one ingress or gateway location, with the settings it proxies with."""

    path: str
    exact: bool
    backend: str
    settings: dict[str, str]


@dataclass(frozen=True)
class Route:
    service: str
    template: str
    method: str
    operation: dict[str, Any]

    @property
    def path(self) -> str:
        return re.sub(r"\{[^}]+\}", "zz1", self.template)


def _size(value: str) -> float:
    """An nginx size in bytes (``0``: no limit)."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    if value[-1].lower() in units:
        return int(value[:-1]) * units[value[-1].lower()]
    return float("inf") if int(value) == 0 else int(value)


def _matches(rule: Rule, path: str) -> bool:
    if rule.exact:
        return path == rule.path
    return path == rule.path or path.startswith(rule.path.rstrip("/") + "/")


def chosen(rules: list[Rule], path: str) -> list[Rule]:
    """The rules that serve ``path``: all of equal precedence (more than one is a clash)."""
    exact = [r for r in rules if r.exact and _matches(r, path)]
    if exact:
        return exact
    prefixes = [r for r in rules if _matches(r, path)]
    longest = max((len(r.path) for r in prefixes), default=0)
    return [r for r in prefixes if len(r.path) == longest]


@pytest.fixture(scope="module")
def apps(back_ends) -> dict[str, Any]:
    # Front ends (the portal) have no OpenAPI document: their own host (test_portal_deploy).
    return {s.name: importlib.import_module(f"srs_{s.name}.app") for s in back_ends}


@pytest.fixture(scope="module")
def routes(apps) -> list[Route]:
    """Every operation of every service's OpenAPI document."""
    found = []
    for name, module in apps.items():
        for template, item in module.create_app().openapi()["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict):
                    found.append(Route(name, template, method, operation))
    assert {r.service for r in found} == set(apps)
    return found


def _limit(apps, services, route: Route) -> int | None:
    """What the service's own body limit allows on the route (None: unbounded)."""
    for pattern, limit in apps[route.service].spec().body_limits.items():
        if re.fullmatch(pattern, route.path):
            return limit
    return next(s for s in services if s.name == route.service).settings.max_body_bytes


def _reached(rules: list[Rule], routes: list[Route]) -> list[str]:
    """What is wrong with how ``rules`` reach ``routes`` and the services' docs."""
    wrong = []
    targets = [(r.service, r.path, f"{r.method.upper()} {r.template}") for r in routes]
    targets += [
        (s, f"/{s}{page}", f"/{s}{page}") for s in {r.service for r in routes} for page in DOCS
    ]
    for service, path, what in targets:
        served = chosen(rules, path)
        if path in IN_CLUSTER or path.split("?")[0] in IN_CLUSTER:
            if served:
                wrong.append(f"{service} {what} is in-cluster only, yet routed to {served}")
            continue
        if len(served) != 1:
            wrong.append(f"{service} {what}: {len(served)} rules serve it: {served}")
        elif served[0].backend != service:
            wrong.append(f"{service} {what} is routed to {served[0].backend}")
    return wrong


# The Kubernetes ingress.


@pytest.fixture(scope="module")
def ingresses(rendered, front_ends) -> list[dict[str, Any]]:
    """The API origin's Ingresses (a front end's has a host of its own)."""
    fronts = {f"srs-{s.name}" for s in front_ends}
    found = [
        o
        for o in rendered["prod"]
        if o["kind"] == "Ingress"
        and not any(
            p["backend"]["service"]["name"] in fronts
            for rule in o["spec"]["rules"]
            for p in rule["http"]["paths"]
        )
    ]
    assert found
    return found


@pytest.fixture(scope="module")
def ingress_rules(ingresses) -> list[Rule]:
    rules = []
    for ingress in ingresses:
        settings = {
            k.removeprefix(ANNOTATION): v
            for k, v in ingress["metadata"].get("annotations", {}).items()
            if k.startswith(ANNOTATION)
        }
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["pathType"] in {"Exact", "Prefix"}, path
                rules.append(
                    Rule(
                        path["path"],
                        path["pathType"] == "Exact",
                        path["backend"]["service"]["name"].removeprefix("srs-"),
                        settings,
                    )
                )
    return rules


def test_every_api_is_behind_one_host_with_tls(ingresses, rendered, back_ends):
    hosts = {rule["host"] for i in ingresses for rule in i["spec"]["rules"]}
    assert len(hosts) == 1, f"more than one API origin: {hosts}"
    for ingress in ingresses:
        assert ingress["spec"]["ingressClassName"] == "nginx"
        assert ingress["spec"]["tls"] == [{"hosts": sorted(hosts), "secretName": "srs-tls"}]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                api = next(
                    s
                    for s in rendered["prod"]
                    if s["kind"] == "Service"
                    and s["metadata"]["name"] == path["backend"]["service"]["name"]
                )
                # The API port only: /metrics has a port of its own, never at the edge.
                assert path["backend"]["service"]["port"] == {"name": "http"}
                assert [p["name"] for p in api["spec"]["ports"]] == ["http"]
    assert {s.name for s in back_ends} <= {
        p["backend"]["service"]["name"].removeprefix("srs-")
        for i in ingresses
        for rule in i["spec"]["rules"]
        for p in rule["http"]["paths"]
    }


def test_every_route_of_every_service_is_reached_through_exactly_one_rule(ingress_rules, routes):
    wrong = _reached(ingress_rules, routes)
    assert not wrong, "\n".join(wrong)
    # And no rule is dead: each serves some route.
    used = {id(chosen(ingress_rules, r.path)[0]) for r in routes if r.path not in IN_CLUSTER}
    used |= {id(chosen(ingress_rules, f"/{s}/docs")[0]) for s in {r.service for r in routes}}
    assert [r.path for r in ingress_rules if id(r) not in used] == []


def test_no_two_services_claim_the_same_path(ingress_rules):
    owners: dict[tuple[str, bool], set[str]] = {}
    for rule in ingress_rules:
        owners.setdefault((rule.path, rule.exact), set()).add(rule.backend)
    claimed = [(key, who) for key, who in owners.items() if len(who) > 1]
    assert claimed == []
    assert len(ingress_rules) == len(owners), "a path appears in two rules"


def test_the_route_check_catches_a_clash_and_a_wrong_backend(ingress_rules, routes):
    clash = [*ingress_rules, Rule("/v1/projects", False, "booking", {})]
    assert any("2 rules serve it" in w for w in _reached(clash, routes))
    stolen = [r for r in ingress_rules if r.path != "/v1/outputs"]
    stolen.append(Rule("/v1", False, "booking", {}))
    assert any("routed to booking" in w for w in _reached(stolen, routes))
    leaked = [*ingress_rules, Rule("/", False, "ops", {})]
    assert any("in-cluster only" in w for w in _reached(leaked, routes))


def _proxying(rules, route: Route) -> dict[str, str]:
    (rule,) = chosen(rules, route.path)
    return rule.settings


def test_large_and_streamed_bodies_pass_the_ingress_unbuffered(
    ingress_rules, routes, apps, services
):
    checked = 0
    for route in routes:
        if route.method not in {"post", "put", "patch"} or route.path in IN_CLUSTER:
            continue
        limit = _limit(apps, services, route)
        settings = _proxying(ingress_rules, route)
        allowed = _size(settings["proxy-body-size"])
        default = next(s for s in services if s.name == route.service).settings.max_body_bytes
        if limit is None:
            # A streamed upload (the pseudonymisation CSV): no size, no spooling either way.
            assert allowed == float("inf"), route
            assert settings["proxy-request-buffering"] == "off", route
            assert settings["proxy-buffering"] == "off", route
            checked += 1
        else:
            assert allowed >= limit, f"{route.template}: the edge refuses what the service takes"
            if limit > default:
                # An upload: passed on as it arrives; the service counts it and refuses early.
                assert settings["proxy-request-buffering"] == "off", route
                checked += 1
    assert checked >= 3, "expected the pseudonymisation stream, output files and SDC tables"


def test_output_files_up_to_clearance_s_own_limit_pass_the_ingress(ingress_rules, routes):
    from srs_clearance.settings import ClearanceSettings

    uploads = [
        r
        for r in routes
        if r.service == "clearance" and r.method == "post" and r.template.endswith("/files")
    ]
    assert uploads
    for route in uploads:
        settings = _proxying(ingress_rules, route)
        assert _size(settings["proxy-body-size"]) > ClearanceSettings().max_file_bytes
        assert settings["proxy-request-buffering"] == "off"


def test_streamed_answers_are_not_buffered_at_the_edge(ingress_rules, routes):
    streams = [r for r in routes if "text/event-stream" in str(r.operation.get("responses"))]
    streams += [r for r in routes if r.template == "/v1/pseudonymise"]
    assert len(streams) >= 2
    for route in streams:
        settings = _proxying(ingress_rules, route)
        assert settings["proxy-buffering"] == "off", route.template
        assert int(settings["proxy-read-timeout"]) >= 600, route.template


def test_everything_else_keeps_the_services_default_limit(ingress_rules, routes, back_ends):
    (default,) = {s.settings.max_body_bytes for s in back_ends}
    plain = [
        r
        for r in ingress_rules
        if "proxy-request-buffering" not in r.settings and "proxy-buffering" not in r.settings
    ]
    assert len(plain) > len(ingress_rules) / 2
    for rule in plain:
        assert _size(rule.settings["proxy-body-size"]) == default, rule.path


# The compose gateway.


def _load_generator():
    spec = importlib.util.spec_from_file_location("srs_deploy_generate", K8S / "generate.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being defined.
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


LOCATION = re.compile(r"location\s+(=\s*)?(\S+)\s*\{([^}]*)\}")


def gateway_rules(config: str) -> list[Rule]:
    """The gateway's locations as rules (``location = /x`` exact, ``location /x/`` the
    prefix /x by whole path elements)."""
    rules = []
    for exact, path, body in LOCATION.findall(config):
        directives = dict(
            line.strip().rstrip(";").split(None, 1) for line in body.strip().splitlines()
        )
        upstream = re.fullmatch(r"http://([a-z]+):(\d+)", directives.get("proxy_pass", ""))
        backend = upstream.group(1) if upstream else "gateway"
        settings = {
            "proxy-body-size": directives.get("client_max_body_size", "1m"),
            **{
                f"proxy-{name.removeprefix('proxy_').replace('_', '-')}": value.removesuffix("s")
                for name, value in directives.items()
                if name.startswith("proxy_") and name != "proxy_pass"
            },
            "upstream": directives.get("proxy_pass", ""),
        }
        rules.append(Rule(path.rstrip("/") or "/", bool(exact), backend, settings))
    return rules


@pytest.fixture(scope="module")
def gateway() -> list[Rule]:
    rules = gateway_rules(GATEWAY.read_text())
    assert rules
    return rules


def test_gateway_config_is_generated_with_the_ingress():
    assert GATEWAY.read_text() == _load_generator().gateway_config(), (
        "deploy/compose/gateway.conf is stale: run `uv run python deploy/k8s/generate.py`"
    )


def test_compose_runs_the_gateway_as_the_one_origin(back_ends):
    compose = yaml.safe_load(COMPOSE.read_text())
    gateway = compose["services"]["gateway"]
    assert gateway["image"].startswith("nginx:")
    assert "./deploy/compose/gateway.conf:/etc/nginx/conf.d/default.conf:ro" in gateway["volumes"]
    assert gateway["ports"] == ["8080:8080"]
    assert {s.name for s in back_ends} <= set(gateway["depends_on"])
    assert "listen 8080;" in GATEWAY.read_text()
    assert "healthcheck" in gateway


def test_the_gateway_reaches_every_route_like_the_ingress(gateway, ingress_rules, routes, services):
    wrong = _reached(gateway, routes)
    assert not wrong, "\n".join(wrong)
    ports = {s.name: s.port for s in services}
    for rule in gateway:
        if rule.backend != "gateway":
            assert rule.settings["upstream"] == f"http://{rule.backend}:{ports[rule.backend]}"
    for route in routes:
        if route.path in IN_CLUSTER:
            continue
        edge = _proxying(ingress_rules, route)
        local = _proxying(gateway, route)
        for setting in ("proxy-body-size", "proxy-request-buffering", "proxy-buffering"):
            assert local.get(setting) == edge.get(setting), (route.template, setting)


def test_the_gateway_check_catches_a_location_sent_elsewhere(gateway, routes):
    config = (
        GATEWAY.read_text()
        .replace(
            "location /v1/pseudonymise/ {\n        proxy_pass http://access:8004;",
            "location /v1/pseudonymise/ {\n        proxy_pass http://ops:8006;",
        )
        .replace(
            "location = /v1/pseudonymise {\n        proxy_pass http://access:8004;",
            "location = /v1/pseudonymise {\n        proxy_pass http://ops:8006;",
        )
    )
    assert config != GATEWAY.read_text()
    assert any("routed to ops" in w for w in _reached(gateway_rules(config), routes))


def test_every_service_documents_the_one_origin_as_its_server(ingresses, rendered, back_ends):
    """Each service's OpenAPI ``servers`` (its PUBLIC_URL setting) is the edge's origin, so a
    client generated from any document calls the ingress, not a pod address."""
    (host,) = {rule["host"] for i in ingresses for rule in i["spec"]["rules"]}
    config = {
        key: value
        for o in rendered["prod"]
        if o["kind"] == "ConfigMap"
        for key, value in (o.get("data") or {}).items()
    }
    for service in back_ends:
        assert config.get(f"SRS_{service.name.upper()}_PUBLIC_URL") == f"https://{host}", service
