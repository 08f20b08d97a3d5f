from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest


@pytest.fixture
async def client(service_client) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client("projects") as c:
        yield c
