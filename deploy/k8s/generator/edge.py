"""The one API origin's path prefixes: which service answers each, and how the edge
proxies it (body size, streaming), from each service's own OpenAPI document and body
limits."""

from __future__ import annotations

import functools
import importlib
import json
import re
from dataclasses import dataclass
from typing import Any

from .cluster import IN_CLUSTER_PATHS
from .discovery import deployed_services, service_settings


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
