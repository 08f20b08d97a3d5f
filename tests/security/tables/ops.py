"""Ops: the event store, sagas, consumer lag, messaging state, dead letters.

Every route is for operations staff; there is no owner A here, so the ids are duds and
the matrix checks the role gates (and that nobody else gets a 2xx)."""

from __future__ import annotations

from typing import Any

from . import COMMON, Only, Public, Seeded

WATCHERS = ("ops", "support")

EXPECTED: dict[str, Any] = {
    **COMMON,
    "GET /v1/events": Only(*WATCHERS, reads=True),
    # An endless Server-Sent Events stream: only its refusals are probed.
    "GET /v1/events/stream": Only(*WATCHERS, streams=True),
    "GET /v1/sagas/{correlation_id}": Only(*WATCHERS),
    "GET /v1/lag": Only(*WATCHERS),
    "GET /v1/services/messaging": Only(*WATCHERS),
    "GET /v1/dead-letters": Only(*WATCHERS, reads=True),
    "GET /v1/dead-letters/{dead_letter_id}": Only(*WATCHERS),
    "POST /v1/dead-letters/{dead_letter_id}/replay": Only("support"),
    "POST /v1/dead-letters/{dead_letter_id}/discard": Only("support"),
    "GET /asyncapi.json": Public("the AsyncAPI document of public contracts"),
    "GET /console": Public("the console's HTML shell; its data comes through the API"),
}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    return Seeded(params={})
