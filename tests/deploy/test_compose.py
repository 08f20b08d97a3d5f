"""docker-compose.yml, checked offline: valid Compose, and everything the code names is in it.

There is no Docker engine here, so the file is validated against the Compose
Specification's JSON schema (vendored, see schemas/SOURCES.md) and its contents against
the services, ports, databases and topics that the code defines, and against what each
service's settings say it needs (other services' addresses, a mail server, Redis).
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCHEMA = Path(__file__).resolve().parent / "schemas" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft201909Validator(json.loads(SCHEMA.read_text()))


def _default(value: str) -> str:
    """The value Compose gives ``${VAR:-default}`` when VAR is unset."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def _depends(compose: dict[str, Any], name: str) -> dict[str, str]:
    depends = compose["services"][name].get("depends_on", {})
    return {dep: spec["condition"] for dep, spec in depends.items()}


def _before(compose: dict[str, Any], name: str) -> set[str]:
    """Every service that must have completed or be healthy before ``name`` starts."""
    seen: set[str] = set()
    pending = [name]
    while pending:
        for dep in _depends(compose, pending.pop()):
            if dep not in seen:
                seen.add(dep)
                pending.append(dep)
    return seen


def test_compose_file_is_valid_against_the_compose_specification(compose, validator):
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(compose)]
    assert errors == []


def test_the_schema_rejects_a_broken_file(compose, validator):
    broken = copy.deepcopy(compose)
    broken["services"]["kafka"]["depends_on"] = {"postgres": {"condition": "when_ready"}}
    broken["services"]["postgres"]["restart_policy"] = "always"
    assert len(list(validator.iter_errors(broken))) == 2


def test_every_service_is_built_from_the_one_dockerfile_and_serves_on_its_port(compose, services):
    assert "portal" in {s.name for s in services}
    for service in services:
        spec = compose["services"].get(service.name)
        assert spec is not None, f"{service.name} is missing from docker-compose.yml"
        assert spec["build"] == {
            "context": ".",
            "dockerfile": "deploy/Dockerfile",
            "args": {"SERVICE": service.name, "PORT": str(service.port)},
        }
        assert (ROOT / spec["build"]["dockerfile"]).exists()
        assert spec["image"] == f"srs-{service.name}:local"
        assert spec["command"] == ["serve"]
        assert f"{service.port}:{service.port}" in spec["ports"]
        assert spec["environment"][f"{service.env_prefix}PORT"] == str(service.port)


def test_every_service_has_its_own_postgresql_database(compose, services):
    postgres = compose["services"]["postgres"]
    init_files = [
        ROOT / volume.split(":")[0]
        for volume in postgres["volumes"]
        if "docker-entrypoint-initdb.d" in volume
    ]
    init_sql = "\n".join(path.read_text() for path in init_files)
    urls = {}
    for service in services:
        assert re.search(rf"CREATE DATABASE {service.database};", init_sql), service.name
        for name, spec in compose["services"].items():
            if name == service.name or name.startswith(f"{service.name}-"):
                url = _default(spec["environment"][f"{service.env_prefix}DATABASE_URL"])
                assert url.startswith("postgresql+asyncpg://")
                assert url.endswith(f"@postgres:5432/{service.database}"), (name, url)
                urls[name] = url
    assert len({url.rsplit("/", 1)[1] for url in urls.values()}) == len(services)


def test_migrations_complete_before_each_service_starts(compose, services):
    for service in services:
        migrate = compose["services"][f"{service.name}-migrate"]
        assert migrate["command"] == ["migrate"]
        assert migrate["build"] == compose["services"][service.name]["build"]
        assert _depends(compose, f"{service.name}-migrate") == {"postgres": "service_healthy"}
        assert f"{service.name}-migrate" in _before(compose, service.name)
        chain = [
            name
            for name, condition in _depends(compose, service.name).items()
            if condition == "service_completed_successfully"
        ]
        assert chain, f"{service.name} starts without waiting for its migration"


def test_reference_data_is_loaded_before_a_seeded_service_starts(compose, services):
    seeded = [s for s in services if importlib.util.find_spec(f"srs_{s.name}.seed")]
    assert seeded, "no service has demo reference data"
    for service in seeded:
        seed = compose["services"][f"{service.name}-seed"]
        assert seed["command"] == ["seed"]
        assert _depends(compose, f"{service.name}-seed") == {
            f"{service.name}-migrate": "service_completed_successfully"
        }
        assert (
            _depends(compose, service.name)[f"{service.name}-seed"]
            == "service_completed_successfully"
        )


def test_kafka_runs_in_kraft_mode_from_the_official_image(compose):
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = kafka["environment"]
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"{env['KAFKA_NODE_ID']}@kafka:9093"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert not any("zookeeper" in key.lower() for key in env)
    assert "healthcheck" in kafka


def test_every_topic_and_dead_letter_topic_is_created_before_the_services(
    compose, back_ends, topics, platform
):
    init = compose["services"]["kafka-topics"]
    assert init["image"] == compose["services"]["kafka"]["image"]
    assert _depends(compose, "kafka-topics") == {"kafka": "service_healthy"}
    script = "\n".join(init["command"])
    created = set(re.findall(r"\bsrs\.[a-z0-9_.-]+", script))
    assert created == topics
    assert "--if-not-exists" in script
    assert _default(re.search(r'--partitions "([^"]+)"', script).group(1)) == str(
        platform.topic_partitions
    )
    for service in back_ends:
        assert _depends(compose, service.name)["kafka-topics"] == "service_completed_successfully"


def test_services_share_the_platform_settings_for_apache_kafka(compose, back_ends, platform):
    access = next(s for s in back_ends if s.name == "access")
    for service in back_ends:
        env = compose["services"][service.name]["environment"]
        assert env["SRS_KAFKA_BOOTSTRAP"] == "kafka:9092"
        # Apache Kafka accepts idempotent producers; the embedded broker is the exception.
        assert env["SRS_KAFKA_IDEMPOTENCE"] == "true"
        assert _default(env["SRS_TOPIC_PARTITIONS"]) == str(platform.topic_partitions)
        assert env["SRS_JWKS_URL"] == f"http://access:{access.port}/.well-known/jwks.json"
        assert env["SRS_JWT_ISSUER"] == platform.jwt_issuer
        assert env["SRS_JWT_AUDIENCE"] == platform.jwt_audience
        if service.name != "access":
            # Tokens are verified against the issuer's JWKS: it must answer first.
            assert _depends(compose, service.name)["access"] == "service_healthy"


def test_every_setting_given_to_a_service_is_one_it_reads(compose, services, platform):
    platform_keys = {f"SRS_{name.upper()}" for name in type(platform).model_fields}
    for service in services:
        own = {
            f"{service.env_prefix}{name.upper()}" for name in type(service.settings).model_fields
        }
        for name, spec in compose["services"].items():
            if name == service.name or name.startswith(f"{service.name}-"):
                unknown = set(spec["environment"]) - own - platform_keys
                assert unknown == set(), f"{name} sets settings nobody reads: {unknown}"


def test_rate_limit_counters_are_shared_through_redis(compose, back_ends, platform):
    assert "rate_limit_storage_url" in type(platform).model_fields
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    assert "healthcheck" in redis
    for service in back_ends:
        env = compose["services"][service.name]["environment"]
        assert env["SRS_RATE_LIMIT_STORAGE_URL"] == "async+redis://redis:6379"
        assert _depends(compose, service.name)["redis"] == "service_healthy"


def test_a_service_that_calls_the_others_is_given_their_addresses(compose, services, back_ends):
    callers = [s for s in services if "service_urls" in type(s.settings).model_fields]
    assert {s.name for s in callers} == {"ops", "portal"}, (
        "ops and the portal are meant to call every service"
    )
    for caller in callers:
        env = compose["services"][caller.name]["environment"]
        urls = json.loads(env[f"{caller.env_prefix}SERVICE_URLS"])
        assert urls == {
            s.name: f"http://{s.name}:{s.port}" for s in back_ends if s.name != caller.name
        }


def test_a_service_that_sends_mail_delivers_it_to_the_local_mail_catcher(compose, services):
    senders = [s for s in services if "smtp_host" in type(s.settings).model_fields]
    assert {s.name for s in senders} == {"notify"}, "notify is meant to send e-mail"
    mailpit = compose["services"]["mailpit"]
    assert mailpit["image"].startswith("axllent/mailpit:")
    # Mailpit takes SMTP on 1025 and shows what it caught on 8025.
    assert "8025:8025" in mailpit["ports"]
    for sender in senders:
        prefix = sender.env_prefix
        env = compose["services"][sender.name]["environment"]
        assert (env[f"{prefix}SMTP_HOST"], env[f"{prefix}SMTP_PORT"]) == ("mailpit", "1025")
        assert env[f"{prefix}SMTP_TLS"] == "none"
        assert _depends(compose, sender.name)["mailpit"] == "service_healthy"
        # The password is the environment's, with a local default: never only a literal.
        assert env[f"{prefix}SMTP_PASSWORD"].startswith("${")


# -- observability: collector, trace store, Prometheus, Grafana --------------------------
def _mounts(spec: dict[str, Any]) -> dict[str, Path]:
    """Container path -> host path of a service's bind mounts from the repository."""
    mounts = {}
    for volume in spec.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = ROOT / source[2:]
    return mounts


def _mounted_config(compose: dict[str, Any], service: str, flag_prefix: str) -> dict[str, Any]:
    """The YAML file a service is started with (``--config...=<path>``), read from the repo."""
    spec = compose["services"][service]
    (flag,) = [arg for arg in spec["command"] if arg.startswith(flag_prefix)]
    path = _mounts(spec)[flag.split("=", 1)[1]]
    assert path.is_file(), f"{service} mounts {path}, which does not exist"
    return yaml.safe_load(path.read_text())


def _host_port(endpoint: str) -> tuple[str, int]:
    host, _, port = re.sub(r"^[a-z]+://", "", endpoint).split("/")[0].rpartition(":")
    return host, int(port)


def test_every_service_sends_its_spans_to_the_collector_over_otlp_http(compose, services, platform):
    assert "otel_exporter_otlp_endpoint" in type(platform).model_fields
    collector = _mounted_config(compose, "otel-collector", "--config")
    http = collector["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    for service in services:
        endpoint = compose["services"][service.name]["environment"][
            "SRS_OTEL_EXPORTER_OTLP_ENDPOINT"
        ]
        assert endpoint.startswith("http://")
        assert _host_port(endpoint) == ("otel-collector", _host_port(http)[1])


def test_the_collector_forwards_traces_to_the_trace_store(compose):
    collector = _mounted_config(compose, "otel-collector", "--config")
    (pipeline,) = [p for name, p in collector["service"]["pipelines"].items() if name == "traces"]
    assert pipeline["receivers"] == ["otlp"]
    for name in pipeline["processors"]:
        assert name in collector["processors"]
    (exporter,) = pipeline["exporters"]
    host, port = _host_port(collector["exporters"][exporter]["endpoint"])
    assert host == "tempo" and compose["services"]["tempo"]["image"].startswith("grafana/tempo:")
    tempo = _mounted_config(compose, "tempo", "-config.file")
    grpc = tempo["distributor"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    assert _host_port(grpc)[1] == port
    assert _depends(compose, "otel-collector") == {"tempo": "service_started"}


def test_prometheus_scrapes_every_services_metrics_port(compose, back_ends):
    from srs_common.metrics import metrics_port_for

    prometheus = _mounted_config(compose, "prometheus", "--config.file")
    targets = {
        target
        for job in prometheus["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    }
    for service in back_ends:
        assert f"{service.name}:{metrics_port_for(service.port, None)}" in targets


def test_grafana_reads_prometheus_and_tempo_and_shows_the_platform_dashboards(compose):
    grafana = compose["services"]["grafana"]
    mounts = _mounts(grafana)
    provisioning = mounts["/etc/grafana/provisioning"]
    datasources = yaml.safe_load((provisioning / "datasources" / "datasources.yaml").read_text())[
        "datasources"
    ]
    by_type = {d["type"]: d for d in datasources}
    assert _host_port(by_type["prometheus"]["url"]) == ("prometheus", 9090)
    assert (
        "--config.file=/etc/prometheus/prometheus.yaml"
        in compose["services"]["prometheus"]["command"]
    )
    tempo = _mounted_config(compose, "tempo", "-config.file")
    assert _host_port(by_type["tempo"]["url"]) == ("tempo", tempo["server"]["http_listen_port"])
    assert set(_depends(compose, "grafana")) == {"prometheus", "tempo"}
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "dashboards.yaml").read_text())[
        "providers"
    ]
    dashboards = mounts[provider["options"]["path"]]
    assert dashboards == ROOT / "deploy" / "k8s" / "base" / "monitoring" / "dashboards"
    assert sorted(p.name for p in dashboards.glob("*.json")), "no dashboard to show"
