"""A service's NetworkPolicy: who may call it (the ingress, its callers, Prometheus on the
metrics port) and what it may reach (the database, the brokers, Redis, the services it
calls, the mail relay)."""

from __future__ import annotations

from typing import Any

from srs_common.config import ServiceSettings

from .cluster import (
    INGRESS_NAMESPACE,
    KAFKA_CLUSTER,
    MONITORING_NAMESPACE,
    PART_OF,
    POSTGRES_CLUSTER,
    REDIS_NAME,
    REDIS_PORT,
    SMTP_RELAY,
    meta,
)
from .discovery import callers_of, declares, metrics_port, service_settings, service_urls


def network_policy(service: str, settings: ServiceSettings) -> dict[str, Any]:
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
        "metadata": meta(f"srs-{service}", service, "network"),
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{service}"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": sources, "ports": http}, scrape],
            "egress": egress,
        },
    }
