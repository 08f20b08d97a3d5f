"""Write the per-service part of the Kubernetes base from the code's own description.

The services (the workspace's ``services/*``), their ports, topics and dead-letter topics
come from ``srs_common.contracts`` and each service's settings, and so does the wiring a
service declares it needs: a ``service_urls`` setting (it calls every other service's HTTP
API) and ``smtp_*`` settings (it sends e-mail through a relay). A new service, topic or
such setting cannot be forgotten here:
``tests/deploy`` regenerates into a scratch directory and fails when the committed files
differ. Run after adding a service or topic:

    uv run python deploy/k8s/generate.py
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

import yaml

from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.contracts import SERVICE_TOPICS
from srs_common.devstack import FRONT_ENDS
from srs_common.metrics import metrics_port_for

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "base" / "generated"
SERVICES_DIR = HERE.parents[1] / "services"

PART_OF = "srs"
KAFKA_CLUSTER = "srs-kafka"
POSTGRES_CLUSTER = "srs-postgres"
PLATFORM_CONFIG = "srs-platform"
# Each pod opens at most 2 x pool size connections (SQLAlchemy's overflow equals the pool);
# tests/deploy checks that every replica the autoscalers may start fits the role's limit.
DB_POOL_SIZE = 4
# The ingress controller's class and namespace: the only way in to the HTTP APIs from outside.
INGRESS_CLASS = "nginx"
INGRESS_NAMESPACE = "ingress-nginx"
# Where Prometheus runs: the only way in to the metrics ports.
MONITORING_NAMESPACE = "monitoring"
DOMAIN = "srs.example.org"
# Per role; the sum over the services stays below the cluster's max_connections
# (postgres/cluster.yaml), which tests/deploy checks.
ROLE_CONNECTION_LIMIT = 128
# Shared rate-limit counters (SRS_RATE_LIMIT_STORAGE_URL in platform-config.yaml): the
# Deployment and Service in redis/redis.yaml.
REDIS_NAME = "srs-redis"
REDIS_PORT = 6379
# The mail relay of a service that declares SMTP settings. Host and port are the
# environment's (patch srs-<svc>-config in the overlay); login and password come from the
# Secret srs-<svc>-smtp (keys username, password), created outside the manifests.
SMTP_RELAY = {
    "smtp_host": "smtp.example.org",
    "smtp_port": 587,
    "smtp_tls": "starttls",
    "mail_from": f"SRS notifications <no-reply@{DOMAIN}>",
}
SMTP_SECRET_KEYS = {"smtp_username": "username", "smtp_password": "password"}
# Services that hold a key of their own, mounted from a Secret created outside the manifests.
EXTRA_SECRETS = {
    "access": {
        "SRS_ACCESS_SIGNING_KEY_PEM": ("srs-access-signing-key", "private.pem"),
        "SRS_ACCESS_PSEUDONYMISATION_KEYS": ("srs-access-pseudonymisation", "keys.json"),
        "SRS_ACCESS_CLIENT_SECRET_PEPPER": ("srs-access-client-secrets", "pepper"),
    },
}
RESOURCES = {
    "api": {
        "requests": {"cpu": "100m", "memory": "192Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    "relay": {
        "requests": {"cpu": "50m", "memory": "160Mi"},
        "limits": {"cpu": "500m", "memory": "384Mi"},
    },
    "worker": {
        "requests": {"cpu": "100m", "memory": "192Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    "migrate": {
        "requests": {"cpu": "50m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "384Mi"},
    },
}


def deployed_services() -> list[str]:
    """Every service of the workspace: the publishers of ``SERVICE_TOPICS`` first, in their
    order, then any other (e.g. a monitor that only consumes)."""
    # Front ends (the portal) have no topic, relay or consumers: not generated here yet.
    found = {p.parent.name for p in SERVICES_DIR.glob("*/pyproject.toml")} - set(FRONT_ENDS)
    return [s for s in SERVICE_TOPICS if s in found] + sorted(found - set(SERVICE_TOPICS))


def service_settings(service: str) -> ServiceSettings:
    """The service's settings class with its defaults (port, topic names)."""
    module = importlib.import_module(f"srs_{service}.settings")
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, ServiceSettings)
        and value is not ServiceSettings
    ]
    (settings_class,) = classes
    return settings_class()


def declares(settings: ServiceSettings, name: str) -> bool:
    """Whether the service reads setting ``name`` (its settings class has the field)."""
    return name in type(settings).model_fields


def is_publisher(service: str) -> bool:
    """A service with a topic of its own has an outbox to relay."""
    return service in SERVICE_TOPICS


def callers_of(service: str) -> list[str]:
    """The services that call ``service``'s HTTP API: those that declare ``service_urls``."""
    return [
        s
        for s in deployed_services()
        if s != service and declares(service_settings(s), "service_urls")
    ]


def service_urls(service: str) -> dict[str, str]:
    """What a caller's ``service_urls`` setting is given: every other service, in-cluster."""
    return {
        other: f"http://srs-{other}:{service_settings(other).port}"
        for other in deployed_services()
        if other != service
    }


def metrics_port(settings: ServiceSettings) -> int:
    """Where every process of the service serves Prometheus metrics: never the API port,
    which the ingress exposes."""
    return metrics_port_for(settings.port, settings.metrics_port)


def _labels(service: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": f"srs-{service}",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
    }


def _meta(name: str, service: str, component: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": _labels(service, component), **extra}


def _container(
    service: str, settings: ServiceSettings, component: str, *, relay: bool, consumers: bool
) -> dict[str, Any]:
    prefix = f"SRS_{service.upper()}_"
    env: list[dict[str, Any]] = [
        {
            "name": f"{prefix}DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": f"srs-{service}-database", "key": "url"}},
        },
    ]
    for name, (secret, key) in EXTRA_SECRETS.get(service, {}).items():
        env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
    container: dict[str, Any] = {
        "name": service,
        "image": f"srs-{service}",
        "args": ["migrate"] if component == "migrate" else ["serve"],
        "envFrom": [
            {"configMapRef": {"name": PLATFORM_CONFIG}},
            {"configMapRef": {"name": f"srs-{service}-config"}},
        ],
        "env": env,
        "resources": RESOURCES[component],
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    if component == "migrate":
        return container
    for setting, key in SMTP_SECRET_KEYS.items():
        if declares(settings, setting):
            env.append(
                {
                    "name": f"{prefix}{setting.upper()}",
                    "valueFrom": {"secretKeyRef": {"name": f"srs-{service}-smtp", "key": key}},
                }
            )
    env += [
        {"name": f"{prefix}RUN_RELAY", "value": str(relay).lower()},
        {"name": f"{prefix}RUN_CONSUMERS", "value": str(consumers).lower()},
    ]
    container["ports"] = [
        {"name": "http", "containerPort": settings.port},
        {"name": "metrics", "containerPort": metrics_port(settings)},
    ]
    # Every process runs `serve`, so every pod answers probes on its API port and serves
    # /metrics on its metrics port; the flags decide whether it also runs the relay or the
    # consumers.
    container["startupProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 2,
        "failureThreshold": 30,
    }
    container["livenessProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"},
        "periodSeconds": 10,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    container["readinessProbe"] = {
        "httpGet": {"path": "/readyz", "port": "http"},
        "periodSeconds": 5,
        "timeoutSeconds": 3,
        "failureThreshold": 3,
    }
    return container


def _pod_spec(
    service: str,
    settings: ServiceSettings,
    component: str,
    *,
    relay: bool = False,
    consumers: bool = False,
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [_container(service, settings, component, relay=relay, consumers=consumers)],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }
    if component == "migrate":
        spec["restartPolicy"] = "OnFailure"
    else:
        spec["terminationGracePeriodSeconds"] = 30
        spec["topologySpreadConstraints"] = [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": _labels(service, component)},
            }
        ]
    return spec


def _deployment(
    service: str,
    settings: ServiceSettings,
    component: str,
    replicas: int,
    *,
    relay: bool,
    consumers: bool,
) -> dict[str, Any]:
    name = f"srs-{service}" if component == "api" else f"srs-{service}-{component}"
    # For a Prometheus that discovers pods by annotation rather than by ServiceMonitor.
    scrape = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(metrics_port(settings)),
        "prometheus.io/path": "/metrics",
    }
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": _labels(service, component)},
        "template": {
            "metadata": {"labels": _labels(service, component), "annotations": scrape},
            "spec": _pod_spec(service, settings, component, relay=relay, consumers=consumers),
        },
    }
    if component == "relay":
        # One relay holds the database lease and publishes; the other waits to take over.
        spec["strategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0},
        }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, service, component),
        "spec": spec,
    }


def _pdb(service: str, component: str, deployment: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(deployment, service, component),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": _labels(service, component)}},
    }


def _hpa(
    service: str, component: str, deployment: str, minimum: int, maximum: int
) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(deployment, service, component),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment},
            "minReplicas": minimum,
            "maxReplicas": maximum,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
        },
    }


def _network_policy(service: str, settings: ServiceSettings) -> dict[str, Any]:
    http = [{"protocol": "TCP", "port": settings.port}]
    sources: list[dict[str, Any]] = [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}}},
    ]
    # The metrics port answers Prometheus only: neither the ingress nor the other services.
    scrape = {
        "from": [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": MONITORING_NAMESPACE}
                }
            }
        ],
        "ports": [{"protocol": "TCP", "port": metrics_port(settings)}],
    }
    if service == "access":
        # The embedded token issuer: every service fetches its JWKS.
        sources.append({"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": PART_OF}}})
    else:
        sources += [
            {"podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{caller}"}}}
            for caller in callers_of(service)
        ]
    egress = [
        {
            "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": POSTGRES_CLUSTER}}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
        {
            "to": [
                {
                    "podSelector": {
                        "matchLabels": {
                            "strimzi.io/cluster": KAFKA_CLUSTER,
                            "strimzi.io/broker-role": "true",
                        }
                    }
                }
            ],
            "ports": [{"protocol": "TCP", "port": 9092}],
        },
        {
            "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": REDIS_NAME}}}],
            "ports": [{"protocol": "TCP", "port": REDIS_PORT}],
        },
    ]
    # The services it calls: access for the JWKS, every other one for a caller.
    called = list(service_urls(service)) if declares(settings, "service_urls") else ["access"]
    for other in called:
        if other != service:
            egress.append(
                {
                    "to": [
                        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{other}"}}}
                    ],
                    "ports": [{"protocol": "TCP", "port": service_settings(other).port}],
                }
            )
    if declares(settings, "smtp_host"):
        # The mail relay is outside the cluster: any address, on its port only.
        egress.append(
            {
                "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
                "ports": [{"protocol": "TCP", "port": SMTP_RELAY["smtp_port"]}],
            }
        )
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(f"srs-{service}", service, "network"),
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{service}"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": http}, scrape],
            "egress": egress,
        },
    }


def _config(service: str, settings: ServiceSettings) -> dict[str, str]:
    """The service's own non-secret settings."""
    prefix = f"SRS_{service.upper()}_"
    data = {
        f"{prefix}HOST": "0.0.0.0",
        f"{prefix}PORT": str(settings.port),
        f"{prefix}METRICS_PORT": str(metrics_port(settings)),
        f"{prefix}DB_POOL_SIZE": str(DB_POOL_SIZE),
    }
    if declares(settings, "service_urls"):
        data[f"{prefix}SERVICE_URLS"] = json.dumps(service_urls(service))
    for setting, value in SMTP_RELAY.items():
        if declares(settings, setting):
            data[f"{prefix}{setting.upper()}"] = str(value)
    return data


def service_objects(service: str, partitions: int) -> list[dict[str, Any]]:
    """Every object one service needs in the cluster."""
    settings = service_settings(service)
    publisher = is_publisher(service)
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"srs-{service}-config", service, "config"),
            "data": _config(service, settings),
        },
        _deployment(service, settings, "api", 2, relay=False, consumers=False),
        # Only a service with a topic of its own has an outbox to relay.
        *(
            [_deployment(service, settings, "relay", 2, relay=True, consumers=False)]
            if publisher
            else []
        ),
        _deployment(service, settings, "worker", 2, relay=False, consumers=True),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(f"srs-{service}", service, "api"),
            "spec": {
                "selector": _labels(service, "api"),
                "ports": [{"name": "http", "port": settings.port, "targetPort": "http"}],
            },
        },
        # Every process of the service (api, relay, worker) for Prometheus: relay and
        # consumer metrics live only in the process that runs them.
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(f"srs-{service}-metrics", service, "metrics"),
            "spec": {
                "clusterIP": "None",
                "selector": {"app.kubernetes.io/name": f"srs-{service}"},
                "ports": [
                    {"name": "metrics", "port": metrics_port(settings), "targetPort": "metrics"}
                ],
            },
        },
        _hpa(service, "api", f"srs-{service}", 2, 6),
        # Consumers beyond the partition count would sit idle.
        _hpa(service, "worker", f"srs-{service}-worker", 1, partitions),
        _pdb(service, "api", f"srs-{service}"),
        *([_pdb(service, "relay", f"srs-{service}-relay")] if publisher else []),
        _pdb(service, "worker", f"srs-{service}-worker"),
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta(
                f"srs-{service}-migrate",
                service,
                "migrate",
                annotations={
                    # Run before the rollout by the GitOps tool; README (Deploying) gives the
                    # kubectl sequence for a manual apply.
                    "argocd.argoproj.io/hook": "PreSync",
                    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
                },
            ),
            "spec": {
                "backoffLimit": 3,
                "ttlSecondsAfterFinished": 86400,
                "template": {
                    "metadata": {"labels": _labels(service, "migrate")},
                    "spec": _pod_spec(service, settings, "migrate"),
                },
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": _meta(f"srs-{service}", service, "metrics"),
            "spec": {
                "selector": {"matchLabels": _labels(service, "metrics")},
                "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "15s"}],
            },
        },
        _network_policy(service, settings),
    ]
    return objects


def ingress_object() -> dict[str, Any]:
    """One host per service (their paths overlap: /v1, /docs, /healthz), TLS at the edge."""
    hosts = {service: f"{service}.{DOMAIN}" for service in deployed_services()}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "srs", "labels": {"app.kubernetes.io/part-of": PART_OF}},
        "spec": {
            "ingressClassName": INGRESS_CLASS,
            # The certificate comes from cert-manager or the platform team, never from here.
            "tls": [{"hosts": sorted(hosts.values()), "secretName": "srs-tls"}],
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": f"srs-{service}", "port": {"name": "http"}}
                                },
                            }
                        ]
                    },
                }
                for service, host in hosts.items()
            ],
        },
    }


def topic_objects(partitions: int) -> list[dict[str, Any]]:
    """A KafkaTopic per service topic and per dead-letter topic."""
    topics = []
    for service in deployed_services():
        settings = service_settings(service)
        if service in SERVICE_TOPICS:
            assert settings.topic == SERVICE_TOPICS[service], (service, settings.topic)
            topics.append((service, settings.topic))
        topics.extend((service, topic) for topic in settings.own_dead_letter_topics)
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": {
                "name": topic.replace(".", "-"),
                "labels": {
                    "strimzi.io/cluster": KAFKA_CLUSTER,
                    "app.kubernetes.io/name": f"srs-{service}",
                    "app.kubernetes.io/part-of": PART_OF,
                },
            },
            "spec": {
                "topicName": topic,
                "partitions": partitions,
                "replicas": 3,
                "config": {
                    "min.insync.replicas": 2,
                    "unclean.leader.election.enable": False,
                    "cleanup.policy": "delete",
                    "retention.ms": 604800000 if ".dlq." not in topic else 2592000000,
                },
            },
        }
        for service, topic in topics
    ]


def database_objects() -> list[dict[str, Any]]:
    """One CloudNativePG ``Database`` per service, owned by the service's own role."""
    return [
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "metadata": _meta(f"srs-{service}", service, "database"),
            "spec": {
                "cluster": {"name": POSTGRES_CLUSTER},
                "name": f"srs_{service}",
                "owner": f"srs_{service}",
                "ensure": "present",
                "databaseReclaimPolicy": "retain",
            },
        }
        for service in deployed_services()
    ]


def postgres_roles_patch() -> dict[str, Any]:
    """Managed roles and host-based rules: each service's role reaches only its database."""
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": POSTGRES_CLUSTER},
        "spec": {
            "managed": {
                "roles": [
                    {
                        "name": f"srs_{service}",
                        "ensure": "present",
                        "login": True,
                        "connectionLimit": ROLE_CONNECTION_LIMIT,
                        # Password from a basic-auth Secret created outside the manifests.
                        "passwordSecret": {"name": f"srs-{service}-database-credentials"},
                    }
                    for service in deployed_services()
                ]
            },
            "postgresql": {
                "pg_hba": [
                    f"hostssl srs_{service} srs_{service} all scram-sha-256"
                    for service in deployed_services()
                ]
                + ["host all all all reject"]
            },
        },
    }


def _dump(path: Path, documents: list[dict[str, Any]], header: str) -> None:
    body = yaml.safe_dump_all(documents, sort_keys=False, default_flow_style=False, width=100)
    path.write_text(f"# Generated by deploy/k8s/generate.py - do not edit. {header}\n{body}")


def generate(target: Path = GENERATED) -> list[Path]:
    """Write every generated file into ``target``; returns the files written."""
    target.mkdir(parents=True, exist_ok=True)
    partitions = PlatformSettings().topic_partitions
    written = []
    for service in deployed_services():
        path = target / f"service-{service}.yaml"
        _dump(path, service_objects(service, partitions), f"The {service} service.")
        written.append(path)
    files = {
        "ingress.yaml": ([ingress_object()], "The way in to every HTTP API."),
        "kafka-topics.yaml": (topic_objects(partitions), "Topics and dead-letter topics."),
        "postgres-databases.yaml": (database_objects(), "One database per service."),
        "postgres-roles-patch.yaml": (
            [postgres_roles_patch()],
            "Merged into the Cluster by kustomize.",
        ),
    }
    for name, (documents, header) in files.items():
        _dump(target / name, documents, header)
        written.append(target / name)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "resources": sorted(p.name for p in written if p.name != "postgres-roles-patch.yaml"),
        "patches": [{"path": "postgres-roles-patch.yaml"}],
    }
    path = target / "kustomization.yaml"
    _dump(path, [kustomization], "Included by ../kustomization.yaml.")
    written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=Path, default=GENERATED)
    args = parser.parse_args()
    for path in generate(args.target):
        print(path)


if __name__ == "__main__":
    main()
