"""A service's processes: the API, relay and worker Deployments (one image, the flags
decide what a process runs), the migration Job's pod, their disruption budgets and
autoscalers."""

from __future__ import annotations

from typing import Any

from srs_common.config import ServiceSettings

from . import pods
from .cluster import (
    EXTRA_SECRETS,
    RESOURCES,
    SMTP_SECRET_KEYS,
    labels,
    meta,
)
from .discovery import declares, metrics_port


def _container(
    service: str, settings: ServiceSettings, component: str, *, relay: bool, consumers: bool
) -> dict[str, Any]:
    prefix = f"SRS_{service.upper()}_"
    container = pods.container(service, component, RESOURCES[component])
    env: list[dict[str, Any]] = container["env"]
    for name, (secret, key) in EXTRA_SECRETS.get(service, {}).items():
        if not declares(settings, name.removeprefix(prefix).lower()):
            continue  # a setting the service does not have (yet)
        env.append({"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}})
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
    container.update(pods.probes())
    return container


def pod_spec(
    service: str,
    settings: ServiceSettings,
    component: str,
    *,
    relay: bool = False,
    consumers: bool = False,
) -> dict[str, Any]:
    return pods.pod_spec(
        _container(service, settings, component, relay=relay, consumers=consumers),
        component,
        labels(service, component),
    )


def deployment(
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
        "selector": {"matchLabels": labels(service, component)},
        "template": {
            "metadata": {"labels": labels(service, component), "annotations": scrape},
            "spec": pod_spec(service, settings, component, relay=relay, consumers=consumers),
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
        "metadata": meta(name, service, component),
        "spec": spec,
    }


def disruption_budget(service: str, component: str, deployment: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(deployment, service, component),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels(service, component)}},
    }


def autoscaler(
    service: str, component: str, deployment: str, minimum: int, maximum: int
) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(deployment, service, component),
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
