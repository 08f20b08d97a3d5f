"""Ops: the event store, sagas, consumer lag, messaging state, dead letters (operations
staff: dud ids, the matrix checks the role gates), and partners' webhook subscriptions.

Seed: the partner client of ``org-a`` subscribes an endpoint (owner A's subscription)."""

from __future__ import annotations

from typing import Any

from . import COMMON, Listing, Only, Public, Seeded

WATCHERS = ("ops", "support")

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/events": Only(*WATCHERS, reads=True),
    # An endless Server-Sent Events stream: only its refusals are probed.
    "GET /v1/events/stream": Only(*WATCHERS, streams=True),
    "GET /v1/sagas/{correlation_id}": Only(*WATCHERS),
    "GET /v1/lag": Only(*WATCHERS),
    "GET /v1/lag/groups": Only(*WATCHERS),
    "GET /v1/services/messaging": Only(*WATCHERS),
    "GET /v1/dead-letters": Only(*WATCHERS, reads=True),
    "GET /v1/dead-letters/{dead_letter_id}": Only(*WATCHERS),
    "POST /v1/dead-letters/{dead_letter_id}/replay": Only("support"),
    "POST /v1/dead-letters/{dead_letter_id}/discard": Only("support"),
    "GET /asyncapi.json": Public("the AsyncAPI document of public contracts"),
    "GET /console": Public(
        "the console's HTML shell (or its sign-in page); its data comes "
        "through the API, with the signed-in operator's token"
    ),
    # Subscribing creates the partner's own subscription.
    "POST /v1/webhooks/subscriptions": Only("partner"),
    "GET /v1/webhooks/subscriptions": Listing("support"),
    "GET /v1/webhooks/subscriptions/{subscription_id}": Only("support", reads=True),
    "PATCH /v1/webhooks/subscriptions/{subscription_id}": Only(),
    "DELETE /v1/webhooks/subscriptions/{subscription_id}": Only(),
    "POST /v1/webhooks/subscriptions/{subscription_id}/rotate-secret": Only(),
    "GET /v1/webhooks/subscriptions/{subscription_id}/deliveries": Only("support", reads=True),
    "GET /v1/webhooks/deliveries/{delivery_id}": Only("support"),
    "POST /v1/webhooks/deliveries/{delivery_id}/redeliver": Only("support"),
}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    response = await client.post(
        "/v1/webhooks/subscriptions",
        json={
            "url": "https://hooks.org-a.example/srs",
            "event_types": ["srs.project.approved.v1"],
            "description": "owner A's endpoint",
        },
        headers=tokens.headers("partner", sub="client-org-a", org="org-a", scope="webhooks:manage"),
    )
    assert response.status_code == 201, response.text
    subscription_id = response.json()["id"]
    return Seeded(
        params={"subscription_id": subscription_id, "delivery_id": "1"},
        secrets={subscription_id, "hooks.org-a.example"},
    )
