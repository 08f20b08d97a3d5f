"""What the workspace declares: its services and front ends, each one's settings, and the
wiring a service's settings ask for (``service_urls``: it calls the other services;
``smtp_*``: it sends e-mail)."""

from __future__ import annotations

import importlib
from pathlib import Path

from srs_common.config import ServiceSettings
from srs_common.contracts import SERVICE_TOPICS
from srs_common.devstack import FRONT_ENDS
from srs_common.metrics import metrics_port_for

SERVICES_DIR = Path(__file__).resolve().parents[3] / "services"


def deployed_services() -> list[str]:
    """Every service of the workspace: the publishers of ``SERVICE_TOPICS`` first, in their
    order, then any other (e.g. a monitor that only consumes). Front ends apart."""
    # Front ends (the portal) have no topic, relay or consumers: front_ends() below.
    found = {p.parent.name for p in SERVICES_DIR.glob("*/pyproject.toml")} - set(FRONT_ENDS)
    return [s for s in SERVICE_TOPICS if s in found] + sorted(found - set(SERVICE_TOPICS))


def front_ends() -> list[str]:
    """The workspace's web front ends (the portal): objects of their own (frontend.py)."""
    return [f for f in FRONT_ENDS if (SERVICES_DIR / f / "pyproject.toml").exists()]


def with_database() -> list[str]:
    """Everything deployed with a database of its own: every service and front end."""
    return deployed_services() + front_ends()


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
    """The services and front ends that call ``service``'s HTTP API: those that declare
    ``service_urls``."""
    return [
        s
        for s in deployed_services() + front_ends()
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
