"""The Kubernetes manifests: rendered by kustomize, validated offline, and held to the
platform's invariants.

Every overlay is rendered; built-in objects are validated against the Kubernetes JSON
schemas (``kubernetes-validate``), operator objects against the vendored CRD schemas
(schemas/SOURCES.md). Then: every Deployment has probes, limits and a PDB; no secret value
is in any manifest; every topic the code names has a KafkaTopic; every service has its
database, migration Job, autoscaler, ServiceMonitor and NetworkPolicy; what a service's
settings say it needs (``service_urls``: the other services' APIs; ``smtp_*``: a mail
relay; the platform's ``rate_limit_storage_url``: Redis) is given and let through.
"""

from __future__ import annotations

import copy
import filecmp
import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from srs_common.contracts import SERVICE_TOPICS

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
CRDS = Path(__file__).resolve().parent / "schemas" / "crds"
# The oldest Kubernetes release the manifests must run on.
KUBERNETES_VERSION = "1.31.0"
BUILT_IN_GROUPS = {
    "v1",
    "apps/v1",
    "batch/v1",
    "policy/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
}
SECRET_ENV = re.compile(r"(PASSWORD|SECRET|TOKEN|PRIVATE|_KEY|_PEM|DATABASE_URL|CREDENTIAL)")
SECRET_TEXT = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"[a-z+]+://[^/\s:@]+:[^/\s@]+@"),  # credentials inside a URL
]


def _objects(rendered, kind: str, overlay: str = "prod") -> list[dict[str, Any]]:
    return [o for o in rendered[overlay] if o["kind"] == kind]


def _named(rendered, kind: str, name: str, overlay: str = "prod") -> dict[str, Any]:
    matches = [o for o in _objects(rendered, kind, overlay) if o["metadata"]["name"] == name]
    assert matches, f"no {kind} {name} in the {overlay} overlay"
    return matches[0]


def _crd_schema(obj: dict[str, Any]) -> dict[str, Any]:
    group, version = obj["apiVersion"].split("/")
    path = CRDS / f"{group}_{obj['kind'].lower()}_{version}.json"
    assert path.exists(), f"no vendored schema for {obj['apiVersion']} {obj['kind']}"
    return json.loads(path.read_text())


def _declares(service, setting: str) -> bool:
    return setting in type(service.settings).model_fields


def _callers(services, called) -> list[str]:
    """The services that call ``called``'s HTTP API (their settings have ``service_urls``)."""
    return [s.name for s in services if s.name != called.name and _declares(s, "service_urls")]


def _metrics_port(service) -> int:
    """Where the code serves the service's metrics (never its API port)."""
    from srs_common.metrics import metrics_port_for

    return metrics_port_for(service.port, service.settings.metrics_port)


def _selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def _load_generator():
    spec = importlib.util.spec_from_file_location("srs_deploy_generate", K8S / "generate.py")
    module = importlib.util.module_from_spec(spec)
    # Registered first: its dataclasses look their module up while being defined.
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(sys.modules[spec.name])
    return sys.modules[spec.name]


def test_generated_manifests_are_up_to_date_with_the_code(tmp_path):
    _load_generator().generate(tmp_path)
    committed = K8S / "base" / "generated"
    comparison = filecmp.dircmp(tmp_path, committed)
    stale = comparison.diff_files + comparison.left_only + comparison.right_only
    assert stale == [], (
        "deploy/k8s/base/generated is stale: run `uv run python deploy/k8s/generate.py`"
    )


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_built_in_object_is_valid_kubernetes(rendered, overlay):
    built_in = [o for o in rendered[overlay] if o["apiVersion"] in BUILT_IN_GROUPS]
    assert built_in
    for obj in built_in:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_operator_object_is_valid_against_its_crd(rendered, overlay):
    custom = [o for o in rendered[overlay] if o["apiVersion"] not in BUILT_IN_GROUPS]
    kinds = {o["kind"] for o in custom}
    assert {
        "Kafka",
        "KafkaNodePool",
        "KafkaTopic",
        "Cluster",
        "Database",
        "ScheduledBackup",
        "ServiceMonitor",
        "PrometheusRule",
    } <= kinds
    for obj in custom:
        schema = _crd_schema(obj)
        errors = [
            f"{obj['kind']} {obj['metadata']['name']} {'/'.join(map(str, e.path))}: {e.message}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(obj)
        ]
        assert errors == []


def test_the_validators_reject_broken_objects(rendered):
    deployment = copy.deepcopy(_objects(rendered, "Deployment")[0])
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["paht"] = (
        "/healthz"
    )
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    topic = copy.deepcopy(_objects(rendered, "KafkaTopic")[0])
    topic["spec"]["partitions"] = 0
    assert list(jsonschema.Draft7Validator(_crd_schema(topic)).iter_errors(topic))
    cluster = copy.deepcopy(_objects(rendered, "Cluster")[0])
    cluster["spec"]["backup"]["retentionPolicy"] = "thirty days"
    assert list(jsonschema.Draft7Validator(_crd_schema(cluster)).iter_errors(cluster))


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_deployment_has_probes_limits_and_a_disruption_budget(rendered, overlay):
    budgets = _objects(rendered, "PodDisruptionBudget", overlay)
    deployments = _objects(rendered, "Deployment", overlay)
    assert deployments
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]
        assert pod["spec"]["securityContext"]["runAsNonRoot"] is True, name
        ours = pod["metadata"]["labels"]["app.kubernetes.io/component"] in {
            "api",
            "relay",
            "worker",
        }
        for container in pod["spec"]["containers"]:
            assert container["livenessProbe"] and container["readinessProbe"], name
            if ours:
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", name
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", name
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
        covering = [
            b
            for b in budgets
            if _selects(b["spec"]["selector"]["matchLabels"], pod["metadata"]["labels"])
        ]
        assert len(covering) == 1, f"{name} has {len(covering)} PodDisruptionBudgets"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_no_secret_value_is_in_any_manifest(rendered, overlay):
    assert _objects(rendered, "Secret", overlay) == []
    text = json.dumps(rendered[overlay])
    for pattern in SECRET_TEXT:
        assert not pattern.search(text), pattern.pattern
    for obj in rendered[overlay]:
        if obj["kind"] == "ConfigMap":
            for key in obj.get("data", {}):
                assert not SECRET_ENV.search(key), f"{key} belongs in a Secret"
        template = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in template.get("containers", []):
            for env in container.get("env", []):
                if SECRET_ENV.search(env["name"]):
                    assert "secretKeyRef" in env.get("valueFrom", {}), env["name"]


def test_every_service_runs_api_relay_and_worker_with_its_settings(rendered, back_ends):
    # The portal runs its pages only: test_portal_deploy.py.
    for service in back_ends:
        prefix = service.env_prefix
        known = {f"{prefix}{field.upper()}" for field in type(service.settings).model_fields}
        publisher = service.name in SERVICE_TOPICS
        processes = [
            (f"srs-{service.name}", "false", "false"),
            (f"srs-{service.name}-worker", "false", "true"),
        ]
        if publisher:
            processes.append((f"srs-{service.name}-relay", "true", "false"))
        else:
            # No topic of its own, no outbox to relay: no relay pods.
            assert not [
                d
                for d in _objects(rendered, "Deployment")
                if d["metadata"]["name"] == f"srs-{service.name}-relay"
            ]
        for name, relay, consumers in processes:
            deployment = _named(rendered, "Deployment", name)
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            assert container["image"].split("/")[-1].startswith(f"srs-{service.name}:")
            assert container["args"] == ["serve"]
            assert container["ports"] == [
                {"name": "http", "containerPort": service.port},
                {"name": "metrics", "containerPort": _metrics_port(service)},
            ]
            env = {e["name"]: e for e in container["env"]}
            assert set(env) <= known, f"{name} sets settings nobody reads: {set(env) - known}"
            assert env[f"{prefix}RUN_RELAY"]["value"] == relay
            assert env[f"{prefix}RUN_CONSUMERS"]["value"] == consumers
            assert env[f"{prefix}DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
                "name": f"srs-{service.name}-database",
                "key": "url",
            }
        # One relay holds the outbox lease, one stands by.
        if publisher:
            assert (
                _named(rendered, "Deployment", f"srs-{service.name}-relay")["spec"]["replicas"] == 2
            )
        config = _named(rendered, "ConfigMap", f"srs-{service.name}-config")["data"]
        assert config[f"{prefix}PORT"] == str(service.port)
        assert config[f"{prefix}METRICS_PORT"] == str(_metrics_port(service))
        assert set(config) <= known
        api = _named(rendered, "Service", f"srs-{service.name}")
        assert api["spec"]["ports"][0]["port"] == service.port


def test_every_service_scales_and_is_monitored(rendered, back_ends, platform):
    for service in back_ends:
        api = _named(rendered, "HorizontalPodAutoscaler", f"srs-{service.name}")
        assert api["spec"]["minReplicas"] >= 2
        worker = _named(rendered, "HorizontalPodAutoscaler", f"srs-{service.name}-worker")
        # A consumer beyond the partition count would sit idle.
        assert worker["spec"]["maxReplicas"] == platform.topic_partitions
        monitor = _named(rendered, "ServiceMonitor", f"srs-{service.name}")
        endpoint = monitor["spec"]["endpoints"][0]
        # Metrics are scraped on their own port, never on the API port the ingress exposes.
        assert (endpoint["port"], endpoint["path"]) == ("metrics", "/metrics")
        scraped = [
            s
            for s in _objects(rendered, "Service")
            if _selects(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        ]
        assert len(scraped) == 1
        assert scraped[0]["spec"]["ports"] == [
            {"name": "metrics", "port": _metrics_port(service), "targetPort": "metrics"}
        ]
        # Relay and consumer metrics exist only in the processes that run them.
        relay = ("relay",) if service.name in SERVICE_TOPICS else ()
        for component in ("api", *relay, "worker"):
            pod = _named(
                rendered,
                "Deployment",
                f"srs-{service.name}" if component == "api" else f"srs-{service.name}-{component}",
            )["spec"]["template"]
            assert _selects(scraped[0]["spec"]["selector"], pod["metadata"]["labels"]), component
            assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(
                _metrics_port(service)
            ), component


def test_migrations_run_in_a_job_before_the_rollout(rendered, services):
    for service in services:
        job = _named(rendered, "Job", f"srs-{service.name}-migrate")
        assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PreSync"
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate"]
        assert (
            container["image"]
            == _named(rendered, "Deployment", f"srs-{service.name}")["spec"]["template"]["spec"][
                "containers"
            ][0]["image"]
        )


def test_platform_config_matches_the_platform_settings(rendered, platform):
    config = _named(rendered, "ConfigMap", "srs-platform")["data"]
    fields = {f"SRS_{name.upper()}" for name in type(platform).model_fields}
    assert set(config) <= fields, set(config) - fields
    assert config["SRS_TOPIC_PARTITIONS"] == str(platform.topic_partitions)
    assert config["SRS_KAFKA_IDEMPOTENCE"] == "true"
    kafka_service = _named(rendered, "Kafka", "srs-kafka")["metadata"]["name"]
    assert config["SRS_KAFKA_BOOTSTRAP"] == f"{kafka_service}-kafka-bootstrap:9092"


def test_every_topic_and_dead_letter_topic_has_a_kafka_topic(rendered, topics, platform):
    kafka_topics = {t["spec"]["topicName"]: t for t in _objects(rendered, "KafkaTopic")}
    assert set(kafka_topics) == topics
    for name, topic in kafka_topics.items():
        spec = topic["spec"]
        assert spec["partitions"] == platform.topic_partitions, name
        assert spec["replicas"] == 3, name
        assert spec["config"]["min.insync.replicas"] == 2, name
        assert spec["config"]["unclean.leader.election.enable"] is False, name
        assert topic["metadata"]["labels"]["strimzi.io/cluster"] == "srs-kafka"


def test_kafka_runs_in_kraft_mode_with_three_brokers(rendered):
    kafka = _named(rendered, "Kafka", "srs-kafka")
    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert kafka["metadata"]["annotations"]["strimzi.io/node-pools"] == "enabled"
    config = kafka["spec"]["kafka"]["config"]
    assert config["auto.create.topics.enable"] is False
    assert config["unclean.leader.election.enable"] is False
    assert config["min.insync.replicas"] == 2
    pools = _objects(rendered, "KafkaNodePool")
    replicas = {
        role: sum(p["spec"]["replicas"] for p in pools if role in p["spec"]["roles"])
        for role in ("broker", "controller")
    }
    assert replicas == {"broker": 3, "controller": 3}
    assert {p["metadata"]["labels"]["strimzi.io/cluster"] for p in pools} == {"srs-kafka"}


def test_each_service_has_its_own_database_role_and_backups(rendered, services):
    cluster = _named(rendered, "Cluster", "srs-postgres")
    roles = {r["name"]: r for r in cluster["spec"]["managed"]["roles"]}
    databases = {d["spec"]["name"]: d["spec"] for d in _objects(rendered, "Database")}
    for service in services:
        database = databases[service.database]
        assert database["owner"] == service.database
        assert database["cluster"]["name"] == "srs-postgres"
        role = roles[service.database]
        assert role["login"] is True and "passwordSecret" in role
        # The role reaches its own database only.
        assert (
            f"hostssl {service.database} {service.database} all scram-sha-256"
            in cluster["spec"]["postgresql"]["pg_hba"]
        )
    assert cluster["spec"]["postgresql"]["pg_hba"][-1] == "host all all all reject"
    assert cluster["spec"]["backup"]["barmanObjectStore"]["destinationPath"]
    (scheduled,) = _objects(rendered, "ScheduledBackup")
    assert scheduled["spec"]["cluster"]["name"] == "srs-postgres"


def test_network_is_denied_by_default_and_opened_per_service(rendered, services, back_ends):
    policies = _objects(rendered, "NetworkPolicy")
    default = _named(rendered, "NetworkPolicy", "default-deny")
    assert default["spec"]["podSelector"] == {}
    assert set(default["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in default["spec"] and "egress" not in default["spec"]
    ports = {s.name: s.port for s in back_ends}
    # The portal's own policy: test_portal_deploy.py. It is among every service's callers.
    for service in back_ends:
        pod_labels = _named(rendered, "Deployment", f"srs-{service.name}")["spec"]["template"][
            "metadata"
        ]["labels"]
        own = [
            p
            for p in policies
            if p["spec"]["podSelector"]
            and _selects(p["spec"]["podSelector"].get("matchLabels", {}), pod_labels)
        ]
        assert len(own) == 1, service.name
        spec = own[0]["spec"]
        egress = [(peer, rule["ports"]) for rule in spec["egress"] for peer in rule["to"]]
        reachable = [
            peer["podSelector"]["matchLabels"] for peer, _ in egress if "podSelector" in peer
        ]
        # Access serves the JWKS to everyone; a service with service_urls calls them all.
        called = (
            [s for s in ports if s != service.name]
            if _declares(service, "service_urls")
            else ["access"]
        )
        allowed = [
            {"cnpg.io/cluster": "srs-postgres"},
            {"strimzi.io/cluster": "srs-kafka", "strimzi.io/broker-role": "true"},
            {"app.kubernetes.io/name": "srs-redis"},
        ]
        assert reachable[:3] == allowed
        assert sorted(peer["app.kubernetes.io/name"] for peer in reachable[3:]) == sorted(
            f"srs-{s}" for s in called if s != service.name
        )
        for peer, peer_ports in egress:
            name = (
                peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name", "")
            )
            if name.removeprefix("srs-") in ports:
                assert peer_ports == [{"protocol": "TCP", "port": ports[name[4:]]}]
        outside = [(peer, peer_ports) for peer, peer_ports in egress if "ipBlock" in peer]
        if _declares(service, "smtp_host"):
            # Out of the cluster to the mail relay's port, and nowhere else.
            smtp_port = int(
                _named(rendered, "ConfigMap", f"srs-{service.name}-config")["data"][
                    f"{service.env_prefix}SMTP_PORT"
                ]
            )
            assert outside == [
                ({"ipBlock": {"cidr": "0.0.0.0/0"}}, [{"protocol": "TCP", "port": smtp_port}])
            ]
        else:
            assert outside == [], service.name
        callers = [{"app.kubernetes.io/name": f"srs-{c}"} for c in _callers(services, service)]
        # The API port answers the ingress (and callers); the metrics port Prometheus only.
        api_rule, metrics_rule = spec["ingress"]
        assert metrics_rule == {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    }
                }
            ],
            "ports": [{"protocol": "TCP", "port": _metrics_port(service)}],
        }
        for rule in (api_rule,):
            assert rule["ports"] == [{"protocol": "TCP", "port": service.port}]
            for peer in rule["from"]:
                namespace = peer.get("namespaceSelector", {}).get("matchLabels", {})
                if namespace:
                    assert namespace["kubernetes.io/metadata.name"] == "ingress-nginx"
                elif service.name != "access":
                    # Others answer only those that call them (ops, the portal).
                    assert peer["podSelector"]["matchLabels"] in callers, peer
        if service.name != "access":
            answered = [
                peer["podSelector"]["matchLabels"]
                for rule in spec["ingress"]
                for peer in rule["from"]
                if "podSelector" in peer
            ]
            assert answered == callers


def test_a_service_that_calls_the_others_is_given_their_addresses(rendered, services, back_ends):
    callers = [s for s in services if _declares(s, "service_urls")]
    assert {s.name for s in callers} == {"ops", "portal"}, (
        "ops and the portal are meant to call every service"
    )
    for caller in callers:
        config = _named(rendered, "ConfigMap", f"srs-{caller.name}-config")["data"]
        urls = json.loads(config[f"{caller.env_prefix}SERVICE_URLS"])
        assert set(urls) == {s.name for s in back_ends} - {caller.name}
        for name, url in urls.items():
            api = _named(rendered, "Service", f"srs-{name}")
            assert url == f"http://{api['metadata']['name']}:{api['spec']['ports'][0]['port']}"


def test_a_service_that_sends_mail_gets_its_relay_and_credentials_from_a_secret(rendered, services):
    senders = [s for s in services if _declares(s, "smtp_host")]
    assert {s.name for s in senders} == {"notify"}, "notify is meant to send e-mail"
    for sender in senders:
        prefix = sender.env_prefix
        config = _named(rendered, "ConfigMap", f"srs-{sender.name}-config")["data"]
        assert config[f"{prefix}SMTP_HOST"] and int(config[f"{prefix}SMTP_PORT"])
        # A relay outside the cluster is reached over TLS.
        assert config[f"{prefix}SMTP_TLS"] in {"starttls", "tls"}
        for name in (f"srs-{sender.name}", f"srs-{sender.name}-worker"):
            (container,) = _named(rendered, "Deployment", name)["spec"]["template"]["spec"][
                "containers"
            ]
            env = {e["name"]: e for e in container["env"]}
            assert env[f"{prefix}SMTP_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
                "name": f"srs-{sender.name}-smtp",
                "key": "password",
            }
            assert env[f"{prefix}SMTP_USERNAME"]["valueFrom"]["secretKeyRef"] == {
                "name": f"srs-{sender.name}-smtp",
                "key": "username",
            }


def test_rate_limit_counters_are_shared_through_redis(rendered, services, platform):
    assert "rate_limit_storage_url" in type(platform).model_fields
    config = _named(rendered, "ConfigMap", "srs-platform")["data"]
    # Every process of every service reads the platform settings.
    for deployment in _objects(rendered, "Deployment"):
        if deployment["metadata"]["labels"]["app.kubernetes.io/name"] in {
            f"srs-{s.name}" for s in services
        }:
            (container,) = deployment["spec"]["template"]["spec"]["containers"]
            assert {"configMapRef": {"name": "srs-platform"}} in container["envFrom"]
    redis = _named(rendered, "Service", "srs-redis")
    assert (
        config["SRS_RATE_LIMIT_STORAGE_URL"]
        == f"async+redis://srs-redis:{redis['spec']['ports'][0]['port']}"
    )
    pods = _named(rendered, "Deployment", "srs-redis")["spec"]["template"]["metadata"]["labels"]
    assert _selects(redis["spec"]["selector"], pods)
    policy = _named(rendered, "NetworkPolicy", "srs-redis")["spec"]
    assert policy["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "srs"}}}],
            "ports": [{"protocol": "TCP", "port": redis["spec"]["ports"][0]["port"]}],
        }
    ]
    assert "egress" not in policy and "Egress" in policy["policyTypes"]


def test_the_dev_overlay_shrinks_the_cluster_consistently(rendered):
    for topic in _objects(rendered, "KafkaTopic", "dev"):
        assert topic["spec"]["replicas"] == 1
        assert topic["spec"]["config"]["min.insync.replicas"] == 1
    kafka = _named(rendered, "Kafka", "srs-kafka", "dev")["spec"]["kafka"]["config"]
    assert kafka["min.insync.replicas"] == kafka["default.replication.factor"] == 1
    assert all(p["spec"]["replicas"] == 1 for p in _objects(rendered, "KafkaNodePool", "dev"))
    assert {o["metadata"]["namespace"] for o in rendered["dev"]} == {"srs-dev"}
    assert {o["metadata"]["namespace"] for o in rendered["prod"]} == {"srs"}


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_pod_the_autoscalers_may_start_gets_its_database_connections(
    rendered, services, overlay
):
    cluster = _named(rendered, "Cluster", "srs-postgres", overlay)
    limits = {r["name"]: r["connectionLimit"] for r in cluster["spec"]["managed"]["roles"]}
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in _objects(rendered, "HorizontalPodAutoscaler", overlay)
    }
    for service in services:
        config = _named(rendered, "ConfigMap", f"srs-{service.name}-config", overlay)["data"]
        pool = int(config.get(f"{service.env_prefix}DB_POOL_SIZE", service.settings.db_pool_size))
        pods = sum(
            autoscalers.get(d["metadata"]["name"], d["spec"]["replicas"])
            for d in _objects(rendered, "Deployment", overlay)
            if d["metadata"]["labels"]["app.kubernetes.io/name"] == f"srs-{service.name}"
        )
        # SQLAlchemy's pool plus its overflow (equal to the pool) per process.
        assert pods * 2 * pool <= limits[service.database], (service.name, pods, pool)
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    assert sum(limits.values()) < max_connections


def test_every_api_is_reached_through_the_ingress_and_nothing_else(rendered, services):
    # Which route goes where on the one API origin: test_edge.py.
    backends = {
        path["backend"]["service"]["name"]
        for ingress in _objects(rendered, "Ingress")
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    for service in services:
        assert f"srs-{service.name}" in backends, service.name
        api = _named(rendered, "Service", f"srs-{service.name}")
        assert api["spec"].get("type", "ClusterIP") == "ClusterIP"
        # The ingress's backend carries the API port only: /metrics is not reachable there.
        assert [p["port"] for p in api["spec"]["ports"]] == [service.port]
        assert _metrics_port(service) != service.port
    assert not [
        s
        for s in _objects(rendered, "Service")
        if s["spec"].get("type") in {"NodePort", "LoadBalancer"}
    ]
