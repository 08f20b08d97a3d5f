"""The Kubernetes objects of a front end (the portal): a web app with its own database and
host, no topic, relay, consumers or metrics port. ``generate.py`` writes them beside the
services' and passes in what the two share (the cluster's names, the services' ports).

The portal signs people in at the OpenID Connect issuer (the access service behind the
API origin, or an external provider: patch ``SRS_PORTAL_OIDC_ISSUER_URL`` in the overlay)
and calls each service's API in-cluster with the person's token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from . import pods

# The portal's client secret at the provider and the key that signs its session cookie,
# from Secrets created outside the manifests (docs/guides/deployment.md).
SECRETS = {
    "SRS_PORTAL_OIDC_CLIENT_SECRET": ("srs-portal-oidc", "client-secret"),
    "SRS_PORTAL_SESSION_SECRET": ("srs-portal-session", "secret"),
}
RESOURCES = {
    "api": {
        "requests": {"cpu": "100m", "memory": "192Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    },
    "migrate": {
        "requests": {"cpu": "50m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "384Mi"},
    },
}


@dataclass(frozen=True)
class Cluster:
    """What the front end's objects share with the services' (generator/cluster.py's constants)."""

    part_of: str
    postgres_cluster: str
    ingress_class: str
    ingress_namespace: str
    db_pool_size: int
    # The front end's own host, and the issuer URL people and the portal reach.
    host: str
    issuer_url: str
    # Every service the front end calls: name -> API port.
    service_ports: dict[str, int]


def labels(name: str, component: str, part_of: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": f"srs-{name}",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": part_of,
    }


def _meta(name: str, service: str, component: str, part_of: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "labels": labels(service, component, part_of), **extra}


def config(name: str, port: int, cluster: Cluster) -> dict[str, str]:
    prefix = f"SRS_{name.upper()}_"
    return {
        f"{prefix}HOST": "0.0.0.0",
        f"{prefix}PORT": str(port),
        f"{prefix}DB_POOL_SIZE": str(cluster.db_pool_size),
        # The redirect URI and the post-sign-out address are built from it.
        f"{prefix}PUBLIC_URL": f"https://{cluster.host}",
        f"{prefix}OIDC_ISSUER_URL": cluster.issuer_url,
        f"{prefix}OIDC_CLIENT_ID": f"srs-{name}",
        f"{prefix}SERVICE_URLS": json.dumps(
            {svc: f"http://srs-{svc}:{p}" for svc, p in cluster.service_ports.items()}
        ),
    }


def _container(name: str, port: int, component: str) -> dict[str, Any]:
    container = pods.container(name, component, RESOURCES[component])
    if component == "migrate":
        return container
    container["env"] += [
        {"name": env_name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
        for env_name, (secret, key) in SECRETS.items()
    ]
    container["ports"] = [{"name": "http", "containerPort": port}]
    container.update(pods.probes())
    return container


def _pod_spec(name: str, port: int, component: str, part_of: str) -> dict[str, Any]:
    return pods.pod_spec(
        _container(name, port, component), component, labels(name, component, part_of)
    )


def _network_policy(name: str, port: int, cluster: Cluster) -> dict[str, Any]:
    """People reach it through the ingress only; it reaches its database, the services it
    calls, and the OpenID Connect provider over HTTPS (the API origin through the ingress
    controller, or an external provider: any address, port 443 only)."""
    egress: list[dict[str, Any]] = [
        {
            "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": cluster.postgres_cluster}}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
    ]
    egress += [
        {
            "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{svc}"}}}],
            "ports": [{"protocol": "TCP", "port": svc_port}],
        }
        for svc, svc_port in cluster.service_ports.items()
    ]
    egress.append(
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [{"protocol": "TCP", "port": 443}]}
    )
    ingress_from = {
        "namespaceSelector": {
            "matchLabels": {"kubernetes.io/metadata.name": cluster.ingress_namespace}
        }
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _meta(f"srs-{name}", name, "network", cluster.part_of),
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": f"srs-{name}"}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"from": [ingress_from], "ports": [{"protocol": "TCP", "port": port}]}],
            "egress": egress,
        },
    }


def _ingress(name: str, cluster: Cluster) -> dict[str, Any]:
    """Its own host (cookies and the Content-Security-Policy stay apart from the APIs')."""
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": f"srs-{name}",
            "labels": labels(name, "api", cluster.part_of),
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "1m"},
        },
        "spec": {
            "ingressClassName": cluster.ingress_class,
            "tls": [{"hosts": [cluster.host], "secretName": f"srs-{name}-tls"}],
            "rules": [
                {
                    "host": cluster.host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {
                                    "service": {"name": f"srs-{name}", "port": {"name": "http"}}
                                },
                            }
                        ]
                    },
                }
            ],
        },
    }


def objects(name: str, port: int, cluster: Cluster) -> list[dict[str, Any]]:
    """Every object the front end needs in the cluster."""
    part_of = cluster.part_of
    api = labels(name, "api", part_of)
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _meta(f"srs-{name}-config", name, "config", part_of),
            "data": config(name, port, cluster),
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _meta(f"srs-{name}", name, "api", part_of),
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": api},
                "template": {
                    "metadata": {"labels": api},
                    "spec": _pod_spec(name, port, "api", part_of),
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(f"srs-{name}", name, "api", part_of),
            "spec": {
                "selector": api,
                "ports": [{"name": "http", "port": port, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": _meta(f"srs-{name}", name, "api", part_of),
            "spec": {
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": f"srs-{name}",
                },
                "minReplicas": 2,
                "maxReplicas": 6,
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
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta(f"srs-{name}", name, "api", part_of),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": api}},
        },
        pods.migrate_job(
            f"srs-{name}-migrate",
            labels(name, "migrate", part_of),
            _pod_spec(name, port, "migrate", part_of),
        ),
        _network_policy(name, port, cluster),
        _ingress(name, cluster),
    ]
