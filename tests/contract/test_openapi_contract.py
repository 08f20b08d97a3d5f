"""What a client generator needs from every service's OpenAPI document: stable, readable
and unique operationIds, a description on every operation, and ``servers``."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from srs_common.openapi import OPERATION_ID

from .snapshot import SERVICES, openapi, operation_ids, operations, snapshot_path

REGENERATE = "make contract-snapshots (uv run --frozen python tests/contract/snapshot.py --write)"


@pytest.fixture(scope="module", params=SERVICES)
def document(request: pytest.FixtureRequest) -> tuple[str, dict]:
    return request.param, openapi(request.param)


def test_operation_ids_are_unique_and_readable(document) -> None:
    service, doc = document
    ids = operation_ids(doc)
    repeated = [i for i, n in Counter(ids.values()).items() if n > 1]
    assert not repeated, f"{service}: operationIds used twice: {repeated}"
    unreadable = {route: i for route, i in ids.items() if not OPERATION_ID.match(i)}
    assert not unreadable, f"{service}: not <resource>.<verb>: {unreadable}"


def test_operation_ids_match_the_committed_snapshot(document) -> None:
    """A changed, removed or new id is a change to every generated client: review it,
    then regenerate the snapshot."""
    service, doc = document
    committed = json.loads(snapshot_path(service).read_text())
    ids = operation_ids(doc)
    changed = {
        route: f"{committed.get(route)} -> {ids.get(route)}"
        for route in committed.keys() | ids.keys()
        if committed.get(route) != ids.get(route)
    }
    assert not changed, f"{service}: operationIds differ from the snapshot {changed}; {REGENERATE}"


# The OpenID Connect routes live in services/access/src/srs_access/oidc, which another
# change owns at the moment; their descriptions are added there (reported to its owner).
def test_every_operation_has_a_description(document) -> None:
    service, doc = document
    missing = [route for route, op in operations(doc) if not op.get("description", "").strip()]
    assert not missing, f"{service}: operations without a description: {missing}"


def test_servers_name_the_local_origin_by_default(document) -> None:
    service, doc = document
    [server] = doc["servers"]
    assert server["url"].startswith("http://127.0.0.1:"), server


@pytest.mark.parametrize("service", SERVICES)
def test_servers_name_the_public_url_when_set(service: str) -> None:
    doc = openapi(service, public_url=f"https://api.example.org/{service}/")
    assert [s["url"] for s in doc["servers"]] == [f"https://api.example.org/{service}"]


def test_ops_documents_a_webhook_per_subscribable_event() -> None:
    """Partners read what their endpoint receives from the ops document's webhooks: the
    contract's payload inside a CloudEvent, and the signature headers."""
    from srs_common.contracts import platform_contracts

    doc = openapi("ops")
    assert doc["openapi"].startswith("3.1")
    assert set(doc["webhooks"]) == set(platform_contracts())
    hook = doc["webhooks"]["srs.project.approved.v1"]["post"]
    assert {p["name"] for p in hook["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    body = hook["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["type"]["const"] == "srs.project.approved.v1"
    data = body["properties"]["data"]["$ref"].rsplit("/", 1)[-1]
    assert "project_id" in doc["components"]["schemas"][data]["properties"]


async def test_asyncapi_servers_are_the_configured_brokers(service_client, tmp_path) -> None:
    async with service_client("ops", bootstrap="kafka-0.example:9092,kafka-1.example:9092") as c:
        document = (await c.get("/asyncapi.json")).json()
    assert [s["host"] for s in document["servers"].values()] == [
        "kafka-0.example:9092",
        "kafka-1.example:9092",
    ]
