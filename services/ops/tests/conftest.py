from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("ops") as c:
        yield c


async def eventually(
    check: Callable[[], Awaitable[object]], timeout: float = 30.0, interval: float = 0.05
) -> object:
    """Await a condition until it returns something truthy; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
