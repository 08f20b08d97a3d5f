"""Every service's HTTP server sends a response in one socket write (srs_common.httpwrites),
and nothing about what a client receives changes: bodies whole and in order, streamed
bodies as they are produced, a closing connection's last response delivered."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from srs_common.broker import free_port
from srs_common.cli import SERVER_OPTIONS
from srs_common.httpwrites import FLUSH_AT, CoalescingHttpToolsProtocol

BIG = bytes(range(256)) * 4096  # 1 MiB


class CountingProtocol(CoalescingHttpToolsProtocol):
    """The platform's protocol, counting the writes that reach the real socket."""

    writes: list[int] = []

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        real_write = transport.write

        def write(data: Any) -> None:
            CountingProtocol.writes.append(len(data))
            real_write(data)

        transport.write = write  # type: ignore[method-assign]
        super().connection_made(transport)


def make_app(second_chunk_may_go: asyncio.Event) -> FastAPI:
    app = FastAPI()

    @app.get("/small")
    async def small() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/big")
    async def big() -> StreamingResponse:
        async def one() -> AsyncIterator[bytes]:
            yield BIG

        return StreamingResponse(one(), media_type="application/octet-stream")

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first\n"
            # Only sent once the client has read the first chunk: a transport that held
            # the stream back would leave this waiting for ever.
            await asyncio.wait_for(second_chunk_may_go.wait(), timeout=5)
            yield b"second\n"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/unpaused")
    async def unpaused() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(64):  # produced without ever waiting: 2 MiB
                yield BIG[: 32 * 1024]

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    return app


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, asyncio.Event]]:
    go = asyncio.Event()
    options = {**SERVER_OPTIONS, "http": CountingProtocol, "log_level": "warning"}
    port = free_port()
    config = uvicorn.Config(make_app(go), host="127.0.0.1", port=port, lifespan="off", **options)
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    while not instance.started:
        await asyncio.sleep(0.01)
    CountingProtocol.writes.clear()
    yield f"http://127.0.0.1:{port}", go
    instance.should_exit = True
    await task


def test_every_service_serves_with_the_coalescing_protocol():
    assert SERVER_OPTIONS["http"] is CoalescingHttpToolsProtocol


async def test_a_response_leaves_in_one_write(server):
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(3):  # keep-alive: one connection, three responses
            response = await client.get("/small")
            assert response.status_code == 200
            assert response.json() == {"hello": "world"}
            assert response.headers["content-type"] == "application/json"
    assert len(CountingProtocol.writes) == 3


async def test_a_streamed_body_goes_out_as_it_is_produced(server):
    base, go = server
    async with (
        httpx.AsyncClient(base_url=base) as client,
        client.stream("GET", "/stream") as response,
    ):
        lines = response.aiter_lines()
        assert await anext(lines) == "first"
        go.set()
        assert await anext(lines) == "second"


async def test_large_bodies_arrive_whole_and_are_not_gathered_whole(server):
    base, _ = server
    async with httpx.AsyncClient(base_url=base) as client:
        assert (await client.get("/big")).content == BIG
        CountingProtocol.writes.clear()
        body = (await client.get("/unpaused")).content
    assert body == BIG[: 32 * 1024] * 64
    # Sent in pieces of about FLUSH_AT as it was produced, never 2 MiB at once.
    assert max(CountingProtocol.writes) <= FLUSH_AT + 32 * 1024 + 64
    assert len(CountingProtocol.writes) >= 2 * 1024 * 1024 // (FLUSH_AT + 32 * 1024)


async def test_a_closing_connection_still_delivers_its_response(server):
    base, _ = server
    host, port = base.removeprefix("http://").split(":")

    def ask() -> bytes:
        with socket.create_connection((host, int(port)), timeout=5) as conn:
            conn.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            received = b""
            while chunk := conn.recv(65536):
                received += chunk
            return received

    received = await asyncio.to_thread(ask)
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.endswith(b'{"hello":"world"}')
