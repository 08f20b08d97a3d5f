"""The cluster's names and sizes the generated objects share: where the data services,
the ingress controller and Prometheus run, the domain, the mail relay, the Secrets made
outside the manifests, each process's resources; and the labels every object carries."""

from __future__ import annotations

from typing import Any

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
# The one API origin for front ends and partners: every service behind one host, routed by
# the path prefixes its routes already own (no service changes its URLs).
EDGE_HOST = f"api.{DOMAIN}"
# The people's web front end, on a host of its own.
PORTAL_HOST = f"portal.{DOMAIN}"
# Answered by every service for itself and reached in-cluster only: the kubelet's probes and
# the ops monitor's messaging poll (service_urls). Never routed at the edge.
IN_CLUSTER_PATHS = frozenset({"/healthz", "/readyz", "/v1/messaging"})
# Where a route streams its answer (server-sent events, the duplex pseudonymisation), the
# edge keeps the connection open this long between two reads or writes.
STREAM_TIMEOUT_SECONDS = 3600
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
        "SRS_ACCESS_CONSOLE_CLIENT_SECRET": ("srs-access-client-secrets", "console"),
    },
    # The operations console's client secret at the provider and its session key.
    "ops": {
        "SRS_OPS_CONSOLE_CLIENT_SECRET": ("srs-ops-console", "client-secret"),
        "SRS_OPS_CONSOLE_SESSION_SECRET": ("srs-ops-console", "session-secret"),
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


def labels(service: str, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": f"srs-{service}",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
    }


def meta(name: str, service: str, component: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels(service, component), **extra}
