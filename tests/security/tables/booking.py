"""Booking: no routes of its own yet (only the platform's probes)."""

from __future__ import annotations

from typing import Any

from . import COMMON, Seeded

EXPECTED: dict[str, Any] = {**COMMON}


async def seed(client: Any, tokens: Any, deliver: Any) -> Seeded:
    return Seeded(params={})
