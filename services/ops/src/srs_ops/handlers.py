"""Consumed event type -> handler; each is safe to run twice."""

from __future__ import annotations

from srs_common.events.consumer import Handler

HANDLERS: dict[str, Handler] = {}
CONSUMED_TOPICS: list[str] = []
