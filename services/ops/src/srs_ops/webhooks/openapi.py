"""The OpenAPI ``webhooks`` section (OpenAPI 3.1) of the ops document: one entry per event
type a partner can subscribe to, with what the partner's endpoint receives - the
CloudEvent in structured JSON mode whose ``data`` is the contract's payload - and the
Standard Webhooks signature headers (:func:`srs_ops.webhooks.domain.signed_headers`)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic.json_schema import models_json_schema

import srs_common.contracts.ops  # noqa: F401 - registers the ops contracts
from srs_common.contracts import platform_contracts

SIGNATURE_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "the event's id: the same on every retry and redelivery (de-duplicate)",
        "schema": {"type": "string"},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "seconds since the epoch when this attempt was signed",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": '`v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">`'
        " with the subscription's secret; two, space-separated, during a secret rotation",
        "schema": {"type": "string"},
    },
]


def cloud_event(event_type: str, data_ref: str) -> dict[str, Any]:
    """The delivered body: a CloudEvent 1.0 in structured JSON mode."""
    return {
        "type": "object",
        "required": ["specversion", "id", "source", "type", "data"],
        "properties": {
            "specversion": {"type": "string", "const": "1.0"},
            "id": {"type": "string", "description": "equals the webhook-id header"},
            "source": {"type": "string", "examples": ["/srs/projects"]},
            "type": {"type": "string", "const": event_type},
            "subject": {"type": "string", "description": "the aggregate's id"},
            "time": {"type": "string", "format": "date-time"},
            "datacontenttype": {"type": "string", "const": "application/json"},
            "data": {"$ref": data_ref},
        },
    }


def webhooks_section() -> tuple[dict[str, Any], dict[str, Any]]:
    """``(webhooks, component schemas)`` for every subscribable event type."""
    contracts = dict(sorted(platform_contracts().items()))
    keyed, top = models_json_schema(
        [(c, "validation") for c in contracts.values()], ref_template="#/components/schemas/{model}"
    )
    webhooks: dict[str, Any] = {}
    for event_type, contract in contracts.items():
        doc = inspect.cleandoc(contract.__doc__ or "") or f"A {event_type} event."
        webhooks[event_type] = {
            "post": {
                "operationId": "webhooks." + event_type.replace(".", "_").replace("-", "_"),
                "tags": ["webhooks"],
                "summary": doc.splitlines()[0],
                "description": f"Sent to subscriptions of `{event_type}`. {doc}",
                "parameters": SIGNATURE_HEADERS,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": cloud_event(
                                event_type, keyed[(contract, "validation")]["$ref"]
                            ),
                            "example": {
                                "specversion": "1.0",
                                "id": "5b0c0a34-2f3e-4a8e-9d47-2f7f3c1a9e10",
                                "source": f"/srs/{contract.topic.removeprefix('srs.')}",
                                "type": event_type,
                                "datacontenttype": "application/json",
                                "data": contract.example,
                            },
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "received: the delivery is recorded as delivered"},
                    "default": {
                        "description": "any other answer or none: retried with backoff, "
                        "then the delivery fails and the subscription may be disabled"
                    },
                },
            }
        }
    return webhooks, top.get("$defs", {})


def document_webhooks(app: FastAPI) -> None:
    """Add the webhooks section to ``app``'s OpenAPI document."""
    original: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        schema = original()
        if "webhooks" not in schema:
            webhooks, schemas = webhooks_section()
            schema["webhooks"] = webhooks
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in schemas.items():
                components.setdefault(name, definition)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
