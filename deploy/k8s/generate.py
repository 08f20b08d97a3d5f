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
import functools
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from srs_common.config import PlatformSettings, ServiceSettings
from srs_common.contracts import SERVICE_TOPICS
from srs_common.devstack import FRONT_ENDS
from srs_common.metrics import metrics_port_for

HERE = Path(__file__).resolve().parent
GENERATED = HERE / "base" / "generated"
GATEWAY_CONFIG = HERE.parents[0] / "compose" / "gateway.conf"
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
        "SRS_ACCESS_PORTAL_CLIENT_SECRET": ("srs-access-client-secrets", "portal"),
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
        # The one origin clients reach every service at (the OpenAPI documents' servers).
        f"{prefix}PUBLIC_URL": f"https://{EDGE_HOST}",
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
                    # Run before the rollout by the GitOps tool; docs/guides/deployment.md
                    # gives the kubectl sequence for a manual apply.
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


# The one API origin for front ends and partners: every service behind one host, routed by
# the path prefixes its routes already own (no service changes its URLs).
EDGE_HOST = f"api.{DOMAIN}"
# Answered by every service for itself and reached in-cluster only: the kubelet's probes and
# the ops monitor's messaging poll (service_urls). Never routed at the edge.
IN_CLUSTER_PATHS = frozenset({"/healthz", "/readyz", "/v1/messaging"})
# Where a route streams its answer (server-sent events, the duplex pseudonymisation), the
# edge keeps the connection open this long between two reads or writes.
STREAM_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True)
class EdgeRoute:
    """One path prefix of the API origin and how the edge proxies it."""

    prefix: str
    service: str
    # "Prefix" (by whole path elements) or "Exact" (a route whose path another service's
    # routes continue, e.g. /v1/register beside /v1/register/projects).
    path_type: str
    port: int
    # Largest request body the service's routes under the prefix accept; None: unbounded.
    max_body_bytes: int | None
    # Pass the request body on as it arrives (a large or streamed upload) instead of
    # spooling it first.
    stream_request: bool
    # Pass the answer on as it is written (events, a streamed file) instead of buffering it.
    stream_response: bool

    @property
    def special(self) -> bool:
        return self.stream_request or self.stream_response


@functools.cache
def service_openapi(service: str) -> dict[str, Any]:
    """The service's OpenAPI document, as its app describes itself."""
    return importlib.import_module(f"srs_{service}.app").create_app().openapi()  # type: ignore[no-any-return]


@functools.cache
def service_body_limits(service: str) -> tuple[tuple[str, int | None], ...]:
    """The service's own body limits by path pattern (``ServiceSpec.body_limits``)."""
    return tuple(importlib.import_module(f"srs_{service}.app").spec().body_limits.items())


def edge_paths(service: str) -> list[str]:
    """Every path of the service's API that the edge routes."""
    return [p for p in service_openapi(service)["paths"] if p not in IN_CLUSTER_PATHS]


def sample_path(template: str) -> str:
    """A concrete path for an OpenAPI path template (``{id}`` -> ``x``)."""
    return re.sub(r"\{[^}]+\}", "x", template)


def under(path: str, prefix: str) -> bool:
    """Kubernetes ``Prefix`` matching: by whole path elements."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def body_limit(service: str, path: str) -> int | None:
    """What the service's body limit middleware allows on ``path``."""
    for pattern, limit in service_body_limits(service):
        if re.fullmatch(pattern, path):
            return limit
    return service_settings(service).max_body_bytes


def streams_response(operation: dict[str, Any]) -> bool:
    return "text/event-stream" in json.dumps(operation.get("responses", {}))


def edge_routes() -> list[EdgeRoute]:
    """The API origin's path prefixes: for each route, its first path elements (``/v1/x``,
    or ``/x`` outside ``/v1``), lengthened until no other service has a route there; and
    ``/<service>`` for the service's own docs pages and OpenAPI document. A route whose
    path another service's routes continue is matched exactly."""
    services = deployed_services()
    paths = {service: edge_paths(service) for service in services}
    claimed: dict[tuple[str, str], str] = {}

    def others_under(service: str, prefix: str) -> bool:
        return any(
            under(other_path, prefix)
            for other, other_paths in paths.items()
            if other != service
            for other_path in other_paths
        )

    for service in services:
        claimed[(f"/{service}", "Prefix")] = service
        for path in paths[service]:
            elements = path.strip("/").split("/")
            size = 2 if elements[0] == "v1" else 1
            while others_under(service, "/" + "/".join(elements[:size])):
                size += 1
                if size > len(elements) or elements[size - 1].startswith("{"):
                    break
            else:
                key = ("/" + "/".join(elements[:size]), "Prefix")
                if claimed.setdefault(key, service) != service:
                    raise ValueError(f"{key[0]} claimed by {claimed[key]} and {service}")
                continue
            if "{" in path:
                raise ValueError(f"{service} {path}: no path prefix of its own")
            claimed[(path, "Exact")] = service
    routes = []
    for (prefix, path_type), service in sorted(claimed.items()):
        settings = service_settings(service)
        operations = [
            (path, operation)
            for path, item in service_openapi(service)["paths"].items()
            if (under(path, prefix) if path_type == "Prefix" else path == prefix)
            and path not in IN_CLUSTER_PATHS
            for operation in item.values()
            if isinstance(operation, dict)
        ]
        limits = [body_limit(service, sample_path(path)) for path, _ in operations]
        unbounded = None in limits
        largest = max([limit for limit in limits if limit is not None], default=None)
        largest = None if unbounded else (largest or settings.max_body_bytes)
        routes.append(
            EdgeRoute(
                prefix=prefix,
                service=service,
                path_type=path_type,
                port=settings.port,
                max_body_bytes=largest,
                stream_request=unbounded
                or (largest is not None and largest > settings.max_body_bytes),
                stream_response=unbounded or any(streams_response(op) for _, op in operations),
            )
        )
    return routes


def _size(limit: int | None) -> str:
    """A body size as nginx reads it (``0``: no limit)."""
    if limit is None:
        return "0"
    mebibyte = 1024 * 1024
    return f"{limit // mebibyte}m" if limit % mebibyte == 0 else str(limit)


def _edge_annotations(route: EdgeRoute) -> dict[str, str]:
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": _size(route.max_body_bytes)}
    if route.stream_request:
        annotations["nginx.ingress.kubernetes.io/proxy-request-buffering"] = "off"
    if route.stream_response:
        annotations["nginx.ingress.kubernetes.io/proxy-buffering"] = "off"
    if route.special:
        annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] = str(STREAM_TIMEOUT_SECONDS)
        annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] = str(STREAM_TIMEOUT_SECONDS)
    return annotations


def _ingress(name: str, annotations: dict[str, str], routes: list[EdgeRoute]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "labels": {"app.kubernetes.io/part-of": PART_OF},
            "annotations": annotations,
        },
        "spec": {
            "ingressClassName": INGRESS_CLASS,
            # The certificate comes from cert-manager or the platform team, never from here.
            "tls": [{"hosts": [EDGE_HOST], "secretName": "srs-tls"}],
            "rules": [
                {
                    "host": EDGE_HOST,
                    "http": {
                        "paths": [
                            {
                                "path": route.prefix,
                                "pathType": route.path_type,
                                "backend": {
                                    "service": {
                                        "name": f"srs-{route.service}",
                                        "port": {"name": "http"},
                                    }
                                },
                            }
                            for route in routes
                        ]
                    },
                }
            ],
        },
    }


def ingress_objects() -> list[dict[str, Any]]:
    """One host for every API, routed by path prefix, TLS at the edge. The annotations of
    the ingress controller apply per Ingress, so a prefix whose routes take large or
    streamed bodies, or stream their answers, has an Ingress of its own."""
    routes = edge_routes()
    plain = [route for route in routes if not route.special]
    sizes = {route.max_body_bytes for route in plain}
    (default,) = sizes  # every service's default limit (max_body_bytes) is the same
    objects = [
        _ingress("srs", {"nginx.ingress.kubernetes.io/proxy-body-size": _size(default)}, plain)
    ]
    for route in routes:
        if route.special:
            name = f"srs-{route.service}{route.prefix.replace('/', '-')}"
            objects.append(_ingress(name, _edge_annotations(route), [route]))
    return objects


def gateway_config() -> str:
    """The compose gateway's nginx configuration: the same origin, prefixes and proxy
    settings as the ingress (deploy/compose/gateway.conf)."""
    routes = edge_routes()
    lines = [
        "# Generated by deploy/k8s/generate.py - do not edit. The one API origin of",
        "# docker-compose.yml (http://localhost:8080): the ingress's prefixes and settings.",
        "server {",
        "    listen 8080;",
        "    server_name _;",
        "    proxy_http_version 1.1;",
        "    proxy_set_header Host $host;",
        "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "    proxy_set_header X-Forwarded-Proto $scheme;",
        '    proxy_set_header Connection "";',
        f"    client_max_body_size {_size(service_settings(routes[0].service).max_body_bytes)};",
        "",
        "    location = /_gateway/healthz {",
        "        access_log off;",
        '        return 200 "ok\\n";',
        "    }",
    ]
    for route in routes:
        settings = [f"proxy_pass http://{route.service}:{route.port};"]
        settings.append(f"client_max_body_size {_size(route.max_body_bytes)};")
        if route.stream_request:
            settings.append("proxy_request_buffering off;")
        if route.stream_response:
            settings.append("proxy_buffering off;")
        if route.special:
            settings.append(f"proxy_read_timeout {STREAM_TIMEOUT_SECONDS}s;")
            settings.append(f"proxy_send_timeout {STREAM_TIMEOUT_SECONDS}s;")
        # Prefix matching by whole path elements, as the ingress does.
        locations = [f"= {route.prefix}"]
        if route.path_type == "Prefix":
            locations.append(f"{route.prefix}/")
        for location in locations:
            lines += ["", f"    location {location} {{"]
            lines += [f"        {setting}" for setting in settings]
            lines.append("    }")
    lines += ["}", ""]
    return "\n".join(lines)


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
        "ingress.yaml": (ingress_objects(), "The one API origin: every HTTP API by path."),
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
    GATEWAY_CONFIG.write_text(gateway_config())
    print(GATEWAY_CONFIG)


if __name__ == "__main__":
    main()
