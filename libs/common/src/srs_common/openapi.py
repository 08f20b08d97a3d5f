"""What every service's OpenAPI document says beyond FastAPI's defaults, so that a client
generator can use it.

- ``operationId``: ``<tag>.<verb>`` (``researchers.register``), derived in one place from the
  route's first tag and its endpoint's name (:func:`operation_id`); the committed
  snapshots under ``tests/contract/operation_ids/`` keep them stable.
- ``servers``: the service's public base URL (``public_url`` setting), else the local one.
- Problems: the :class:`srs_common.errors.Problem` schema in the components, referenced as
  ``application/problem+json`` by every documented error (routes document theirs with
  :func:`srs_common.errors.problem_responses`; FastAPI's automatic 422 is rewritten here).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from srs_common.config import ServiceSettings
from srs_common.errors import PROBLEM_JSON, PROBLEM_REF, Problem, problem_response

OPERATION_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def operation_id(route: APIRoute) -> str:
    """``<resource>.<verb>``: the route's first tag (else the first path segment after the
    version) and its endpoint's name without the resource's own word
    (``register_researcher`` tagged ``researchers`` -> ``researchers.register``)."""
    if route.tags:
        resource = _snake(str(route.tags[0]))
    else:
        segments = [s for s in route.path_format.split("/") if s and not s.startswith("{")]
        segments = [s for s in segments if not re.fullmatch(r"v\d+", s)]
        resource = _snake(segments[0]) if segments else "service"
    words = _snake(route.name).split("_")
    nouns = {resource, resource.removesuffix("s"), resource.removesuffix("es")}
    verb_words = [w for w in words if w not in nouns] or words
    return f"{resource}.{'_'.join(verb_words)}"


def server_url(settings: ServiceSettings) -> str:
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def problem_components() -> dict[str, Any]:
    """The Problem schema and what it references, as OpenAPI components."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "Problem": schema}


def document(app: FastAPI, settings: ServiceSettings) -> None:
    """Wrap ``app.openapi`` so the document carries servers and the Problem schema, and
    FastAPI's automatic 422 is documented as the platform answers it."""
    original: Callable[[], dict[str, Any]] = app.openapi
    servers = [{"url": server_url(settings), "description": app.title}]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = original()
        schema["servers"] = servers
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(problem_components())
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                if not isinstance(operation, dict):
                    continue
                invalid = operation.get("responses", {}).get("422")
                if invalid and "application/json" in invalid.get("content", {}):
                    # FastAPI's default (HTTPValidationError): the platform answers Problem.
                    invalid["content"].pop("application/json")
                    if invalid.get("description") == "Validation Error":
                        invalid["description"] = problem_response(422)["description"]
                    invalid["content"].setdefault(
                        PROBLEM_JSON, problem_response(422)["content"][PROBLEM_JSON]
                    )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


__all__ = ["OPERATION_ID", "PROBLEM_REF", "document", "operation_id", "server_url"]
