"""uvicorn's HTTP/1.1 protocol (httptools), with a response's writes sent together.

uvicorn writes the status line and headers when the application sends
``http.response.start``, and the body when it sends ``http.response.body``: two socket
writes, and two TCP segments, for every response. A socket write is a system call that,
on a loopback or virtualised network, also runs the receiving side's network stack; on
this platform's two-core machine it is the largest single cost of a request (a third of
the approve route's samples, the two response writes about 13 % of it).

:class:`CoalescingHttpToolsProtocol` gives each connection's request cycles a transport
that gathers what is written within one turn of the event loop and sends it as one write
at the end of that turn. An ASGI application sends a response's start and its body
without waiting in between, so a response leaves in one write. A streamed response still
leaves as it is produced: what is gathered is sent when the loop next turns, or at once
once it reaches :data:`FLUSH_AT` bytes, so a body produced without pausing is never held
whole in memory. Closing the connection sends what is gathered first.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Gathered bytes are sent at once when they reach this size (a socket buffer's worth).
FLUSH_AT = 64 * 1024


class CoalescingTransport:
    """A transport that sends what is written in one turn of the loop as one write;
    everything else goes straight to the connection's own transport."""

    __slots__ = ("_transport", "_loop", "_pending", "_size", "_scheduled")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0
        self._scheduled = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        self._pending.append(bytes(data))
        self._size += len(data)
        if self._size >= FLUSH_AT:
            self.flush()
        elif not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        """Send what is gathered now (dropped if the connection is already closing, as
        the transport itself would drop it)."""
        self._scheduled = False
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._size + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        # Reading, flow control, extra info, abort: the connection's own transport.
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, each connection writing through a
    :class:`CoalescingTransport`."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
