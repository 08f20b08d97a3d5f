"""What every pod of the platform looks like, a service's or a front end's: one container
of the process's image (read-only root, no privileges, the database URL from its Secret),
the same probes, the same pod security, and the migration Job that runs before a rollout.
Each call builds new objects (a shared one would be written as a YAML alias)."""

from __future__ import annotations

from typing import Any

from .cluster import PLATFORM_CONFIG


def container(name: str, component: str, resources: dict[str, Any]) -> dict[str, Any]:
    """The container of ``name``'s image running ``component`` (``migrate`` or ``serve``);
    its ``env`` starts with the database URL, for the caller to extend."""
    env: list[dict[str, Any]] = [
        {
            "name": f"SRS_{name.upper()}_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": f"srs-{name}-database", "key": "url"}},
        },
    ]
    return {
        "name": name,
        "image": f"srs-{name}",
        "args": ["migrate"] if component == "migrate" else ["serve"],
        "envFrom": [
            {"configMapRef": {"name": PLATFORM_CONFIG}},
            {"configMapRef": {"name": f"srs-{name}-config"}},
        ],
        "env": env,
        "resources": resources,
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


def probes() -> dict[str, Any]:
    """The kubelet's probes of a serving container, on its ``http`` port."""
    return {
        "startupProbe": {
            "httpGet": {"path": "/healthz", "port": "http"},
            "periodSeconds": 2,
            "failureThreshold": 30,
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": "http"},
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            "httpGet": {"path": "/readyz", "port": "http"},
            "periodSeconds": 5,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
    }


def pod_spec(container: dict[str, Any], component: str, selector: dict[str, str]) -> dict[str, Any]:
    """A pod of the one container; a serving pod spreads over the nodes (``selector``: the
    labels of its component's pods)."""
    spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containers": [container],
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
                "labelSelector": {"matchLabels": selector},
            }
        ]
    return spec


def migrate_job(name: str, labels: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    """The Job ``name`` that migrates the database, its pod ``spec``, labelled ``labels``."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                # Run before the rollout by the GitOps tool; docs/guides/deployment.md
                # gives the kubectl sequence for a manual apply.
                "argocd.argoproj.io/hook": "PreSync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
            },
        },
        "spec": {
            "backoffLimit": 3,
            "ttlSecondsAfterFinished": 86400,
            "template": {"metadata": {"labels": dict(labels)}, "spec": spec},
        },
    }
