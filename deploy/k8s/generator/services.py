"""Every object one service needs (its ConfigMap, processes, Services, autoscalers,
budgets, migration Job, ServiceMonitor and NetworkPolicy), and a front end's, which
frontend.py describes."""

from __future__ import annotations

import json
from typing import Any

from srs_common.config import ServiceSettings

from . import frontend, pods
from .cluster import (
    DB_POOL_SIZE,
    EDGE_HOST,
    INGRESS_CLASS,
    INGRESS_NAMESPACE,
    PART_OF,
    PORTAL_HOST,
    POSTGRES_CLUSTER,
    SMTP_RELAY,
    labels,
    meta,
)
from .discovery import (
    declares,
    deployed_services,
    is_publisher,
    metrics_port,
    service_settings,
    service_urls,
)
from .network import network_policy
from .workloads import autoscaler, deployment, disruption_budget, pod_spec


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
    if declares(settings, "oidc_issuer"):
        # The embedded sign-in provider: its issuer is the API origin, and the portal on
        # its own host is its registered client.
        data[f"{prefix}OIDC_ISSUER"] = f"https://{EDGE_HOST}"
        data[f"{prefix}PORTAL_REDIRECT_URIS"] = json.dumps([f"https://{PORTAL_HOST}/auth/callback"])
        data[f"{prefix}PORTAL_POST_LOGOUT_REDIRECT_URIS"] = json.dumps([f"https://{PORTAL_HOST}/"])
        if declares(settings, "console_redirect_uris"):
            # The operations console, on the API origin (/console).
            console = f"https://{EDGE_HOST}/console"
            data[f"{prefix}CONSOLE_REDIRECT_URIS"] = json.dumps([f"{console}/auth/callback"])
            data[f"{prefix}CONSOLE_POST_LOGOUT_REDIRECT_URIS"] = json.dumps([console])
    if declares(settings, "oidc_issuer_url"):
        # A service with a sign-in of its own (the operations console): the API origin's.
        data[f"{prefix}OIDC_ISSUER_URL"] = f"https://{EDGE_HOST}"
    if declares(settings, "portal_url"):
        # Every e-mail links to the portal's pages.
        data[f"{prefix}PORTAL_URL"] = f"https://{PORTAL_HOST}"
    return data


def frontend_objects(name: str) -> list[dict[str, Any]]:
    """A front end's objects (frontend.py): its own host, the services' APIs in-cluster."""
    cluster = frontend.Cluster(
        part_of=PART_OF,
        postgres_cluster=POSTGRES_CLUSTER,
        ingress_class=INGRESS_CLASS,
        ingress_namespace=INGRESS_NAMESPACE,
        db_pool_size=DB_POOL_SIZE,
        host=PORTAL_HOST,
        issuer_url=f"https://{EDGE_HOST}",
        service_ports={s: service_settings(s).port for s in deployed_services()},
    )
    objects: list[dict[str, Any]] = frontend.objects(name, service_settings(name).port, cluster)
    return objects


def service_objects(service: str, partitions: int) -> list[dict[str, Any]]:
    """Every object one service needs in the cluster."""
    settings = service_settings(service)
    publisher = is_publisher(service)
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta(f"srs-{service}-config", service, "config"),
            "data": _config(service, settings),
        },
        deployment(service, settings, "api", 2, relay=False, consumers=False),
        # Only a service with a topic of its own has an outbox to relay.
        *(
            [deployment(service, settings, "relay", 2, relay=True, consumers=False)]
            if publisher
            else []
        ),
        deployment(service, settings, "worker", 2, relay=False, consumers=True),
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(f"srs-{service}", service, "api"),
            "spec": {
                "selector": labels(service, "api"),
                "ports": [{"name": "http", "port": settings.port, "targetPort": "http"}],
            },
        },
        # Every process of the service (api, relay, worker) for Prometheus: relay and
        # consumer metrics live only in the process that runs them.
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(f"srs-{service}-metrics", service, "metrics"),
            "spec": {
                "clusterIP": "None",
                "selector": {"app.kubernetes.io/name": f"srs-{service}"},
                "ports": [
                    {"name": "metrics", "port": metrics_port(settings), "targetPort": "metrics"}
                ],
            },
        },
        autoscaler(service, "api", f"srs-{service}", 2, 6),
        # Consumers beyond the partition count would sit idle.
        autoscaler(service, "worker", f"srs-{service}-worker", 1, partitions),
        disruption_budget(service, "api", f"srs-{service}"),
        *([disruption_budget(service, "relay", f"srs-{service}-relay")] if publisher else []),
        disruption_budget(service, "worker", f"srs-{service}-worker"),
        pods.migrate_job(
            f"srs-{service}-migrate",
            labels(service, "migrate"),
            pod_spec(service, settings, "migrate"),
        ),
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": meta(f"srs-{service}", service, "metrics"),
            "spec": {
                "selector": {"matchLabels": labels(service, "metrics")},
                "endpoints": [{"port": "metrics", "path": "/metrics", "interval": "15s"}],
            },
        },
        network_policy(service, settings),
    ]
    return objects
