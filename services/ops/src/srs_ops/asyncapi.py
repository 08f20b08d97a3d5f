"""The AsyncAPI 3.0 document of the platform's events, generated from
``srs_common.contracts``: one channel per topic, one message per event type, JSON Schema
payloads from the pydantic models, examples from each contract's ``example``.

Regenerate the committed copy after a contract changes::

    uv run python -m srs_ops.asyncapi --write
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

import srs_common.contracts.ops  # noqa: F401 - ops's own contracts (not yet in the package's imports)
from srs_common.config import PlatformSettings
from srs_common.contracts import SERVICE_TOPICS, platform_contracts

DOCUMENT = Path(__file__).with_name("asyncapi.json")

CLOUDEVENT_HEADERS = {
    "type": "object",
    "description": "CloudEvents 1.0 attributes in Kafka binary content mode",
    "required": ["ce_specversion", "ce_id", "ce_source", "ce_type"],
    "properties": {
        "ce_specversion": {"type": "string", "const": "1.0"},
        "ce_id": {"type": "string", "format": "uuid"},
        "ce_source": {"type": "string", "examples": ["/srs/projects"]},
        "ce_type": {"type": "string"},
        "ce_subject": {"type": "string", "description": "the aggregate id (= Kafka key)"},
        "ce_time": {"type": "string", "format": "date-time"},
        "ce_partitionkey": {"type": "string"},
        "ce_correlationid": {"type": "string"},
    },
}


# The committed document names the development broker; the served one the broker the
# service is configured with (servers(settings.platform.kafka_bootstrap)).
DEFAULT_BOOTSTRAP: str = PlatformSettings.model_fields["kafka_bootstrap"].default


def servers(bootstrap: str) -> dict[str, Any]:
    """AsyncAPI ``servers`` from a Kafka bootstrap list (``host:port,host:port``)."""
    hosts = [h.strip() for h in bootstrap.split(",") if h.strip()]
    names = ["kafka"] if len(hosts) == 1 else [f"kafka-{i}" for i in range(1, len(hosts) + 1)]
    return {
        name: {"host": host, "protocol": "kafka", "description": "a bootstrap broker"}
        for name, host in zip(names, hosts, strict=True)
    }


def message_id(event_type: str) -> str:
    return event_type.replace(".", "_")


def generate(bootstrap: str = DEFAULT_BOOTSTRAP) -> dict[str, Any]:
    """The document, deterministic (sorted) so the committed copy diffs cleanly."""
    contracts = dict(sorted(platform_contracts().items()))
    keyed, top = models_json_schema(
        [(c, "validation") for c in contracts.values()], ref_template="#/components/schemas/{model}"
    )
    schemas = dict(sorted(top.get("$defs", {}).items()))
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    services = {topic: service for service, topic in SERVICE_TOPICS.items()}
    for event_type, contract in contracts.items():
        mid = message_id(event_type)
        messages[mid] = {
            "name": event_type,
            "title": contract.__name__,
            "summary": inspect.cleandoc(contract.__doc__ or "").splitlines()[0]
            if contract.__doc__
            else "",
            "description": inspect.cleandoc(contract.__doc__ or ""),
            "contentType": "application/json",
            "headers": CLOUDEVENT_HEADERS,
            "payload": keyed[(contract, "validation")],
            "examples": [
                {"name": "example", "headers": {"ce_type": event_type}, "payload": contract.example}
            ],
        }
        service = services.get(contract.topic, contract.topic.removeprefix("srs."))
        channel = channels.setdefault(
            service,
            {
                "address": contract.topic,
                "description": f"Events published by the {service} service",
                "messages": {},
            },
        )
        channel["messages"][mid] = {"$ref": f"#/components/messages/{mid}"}
    for service, channel in sorted(channels.items()):
        operations[f"{service}_publishes"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{service}"},
            "summary": f"The {service} service publishes through its outbox relay",
            "messages": [
                {"$ref": f"#/channels/{service}/messages/{m}"} for m in sorted(channel["messages"])
            ],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "SRS platform events",
            "version": "1.0.0",
            "description": "Every topic and event type of the SRS platform "
            "(generated from srs_common.contracts).",
        },
        "defaultContentType": "application/json",
        "servers": servers(bootstrap),
        "channels": dict(sorted(channels.items())),
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, default=str) + "\n"


@functools.cache
def committed_document() -> dict[str, Any]:
    return json.loads(DOCUMENT.read_text())  # type: ignore[no-any-return]


def asyncapi_document(bootstrap: str = DEFAULT_BOOTSTRAP) -> dict[str, Any]:
    """The committed document (what operators and partners read), naming the brokers of
    ``bootstrap`` as its servers."""
    return {**committed_document(), "servers": servers(bootstrap)}


if __name__ == "__main__":
    if "--write" in sys.argv:
        DOCUMENT.write_text(render(generate()))
        print(f"wrote {DOCUMENT}")
    else:
        sys.stdout.write(render(generate()))
