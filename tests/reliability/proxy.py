"""A fault-injecting TCP proxy between the services and the broker, on loopback.

Runs its own asyncio loop in a daemon thread so a test can drive it from any thread or
loop. Faults:

- :meth:`cut` aborts every connection (TCP reset) and refuses new ones (accepted and
  reset at once) until :meth:`restore`: the broker is unreachable.
- :meth:`stall` keeps connections open but forwards nothing, either way (or only the
  broker's responses with ``responses_only``), until :meth:`restore`: requests reach the
  broker and their acknowledgements never come back.
- :meth:`drop` resets every open connection once, mid-stream, and lets clients reconnect.
- :meth:`hold_produce_acks` reads the Kafka request framing and, on a connection that
  sends a Produce request to a given topic, holds back everything the broker answers
  until :meth:`restore`: the records are stored, the producer never hears so.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading
from concurrent.futures import Future
from typing import Any

PRODUCE_API_KEY = 0


class _Link:
    """One client connection and its upstream twin."""

    def __init__(self, client: asyncio.StreamWriter, upstream: asyncio.StreamWriter) -> None:
        self.client = client
        self.upstream = upstream
        self.responses = asyncio.Event()
        self.responses.set()
        self.produce_requests = 0


class FaultProxy:
    """Forwards ``127.0.0.1:<port>`` to ``127.0.0.1:<upstream_port>``."""

    def __init__(self, upstream_port: int, port: int = 0) -> None:
        self.upstream_port = upstream_port
        self.port = port
        self.connections = 0
        self.resets = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, daemon=True, name="fault-proxy"
        )
        self._server: asyncio.base_events.Server | None = None
        self._open: set[_Link] = set()
        self._refusing = False
        self._holding_acks: str | None = None  # a topic
        self.held_connections = 0
        self._requests_flow: asyncio.Event | None = None
        self._responses_flow: asyncio.Event | None = None

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> FaultProxy:
        self._thread.start()
        self._call(self._start())
        return self

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    async def _start(self) -> None:
        self._requests_flow = asyncio.Event()
        self._responses_flow = asyncio.Event()
        self._requests_flow.set()
        self._responses_flow.set()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self._server = await asyncio.start_server(self._accept, sock=sock)
        self.port = sock.getsockname()[1]

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self._abort_all()
        assert self._requests_flow is not None and self._responses_flow is not None
        self._requests_flow.set()
        self._responses_flow.set()

    def _call(self, coroutine: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result(10)

    # -- faults -----------------------------------------------------------------------
    def cut(self) -> None:
        """Reset every connection and refuse new ones until :meth:`restore`."""
        self._call(self._cut())

    def stall(self, *, responses_only: bool = False) -> None:
        """Forward nothing (or only nothing back from the broker) until :meth:`restore`."""
        self._call(self._stall(responses_only))

    def drop(self) -> None:
        """Reset every open connection once; new connections are accepted."""
        self._call(self._drop())

    def hold_produce_acks(self, topic: str) -> None:
        """From now on, a connection that sends a Produce request to ``topic`` gets no
        more bytes back until :meth:`restore`."""
        self._call(self._hold(topic))

    def restore(self) -> None:
        self._call(self._restore())

    async def _cut(self) -> None:
        self._refusing = True
        self._abort_all()

    async def _stall(self, responses_only: bool) -> None:
        assert self._requests_flow is not None and self._responses_flow is not None
        if not responses_only:
            self._requests_flow.clear()
        self._responses_flow.clear()

    async def _drop(self) -> None:
        self._abort_all()

    async def _hold(self, topic: str) -> None:
        self.held_connections = 0
        self._holding_acks = topic

    async def _restore(self) -> None:
        assert self._requests_flow is not None and self._responses_flow is not None
        self._refusing = False
        self._holding_acks = None
        for link in self._open:
            link.responses.set()
        self._requests_flow.set()
        self._responses_flow.set()

    def _abort_all(self) -> None:
        for link in list(self._open):
            self.resets += 1
            _reset(link.client)
            _reset(link.upstream)
        self._open.clear()

    # -- forwarding -------------------------------------------------------------------
    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._refusing:
            _reset(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            _reset(writer)
            return
        self.connections += 1
        link = _Link(writer, up_writer)
        self._open.add(link)
        assert self._requests_flow is not None and self._responses_flow is not None
        try:
            await asyncio.gather(
                self._pump(reader, up_writer, (self._requests_flow,), link),
                self._pump(up_reader, writer, (self._responses_flow, link.responses)),
            )
        finally:
            self._open.discard(link)
            _reset(writer)
            _reset(up_writer)

    async def _pump(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        flows: tuple[asyncio.Event, ...],
        requests_of: _Link | None = None,
    ) -> None:
        framing = _Framing() if requests_of is not None else None
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                if framing is not None and requests_of is not None:
                    produced = framing.feed(chunk)
                    requests_of.produce_requests += len(produced)
                    if self._holding_acks in produced and requests_of.responses.is_set():
                        self.held_connections += 1
                        requests_of.responses.clear()
                for flow in flows:
                    await flow.wait()
                if writer.transport.is_closing():
                    break
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            if not writer.transport.is_closing():
                try:
                    writer.write_eof()
                except (OSError, RuntimeError):
                    _reset(writer)


class _Framing:
    """Follows Kafka request frames (4-byte size prefix) across chunks and names the
    topic of each Produce request (header v1, non-flexible Produce v0-v8, as aiokafka
    sends them)."""

    PEEK = 512

    def __init__(self) -> None:
        self._skip = 0  # body bytes of the current frame still to pass over
        self._head = b""  # the current frame's size prefix and first bytes
        self._size: int | None = None

    def feed(self, chunk: bytes) -> list[str]:
        """The topics of the Produce requests whose first bytes are in ``chunk``."""
        topics = []
        view = memoryview(chunk)
        while view:
            if self._skip:
                step = min(self._skip, len(view))
                self._skip -= step
                view = view[step:]
                continue
            wanted = 4 if self._size is None else 4 + min(self._size, self.PEEK)
            take = bytes(view[: wanted - len(self._head)])
            self._head += take
            view = view[len(take) :]
            if len(self._head) < wanted:
                continue
            if self._size is None:
                self._size = struct.unpack(">i", self._head)[0]
                continue
            topic = _produce_topic(self._head[4:])
            if topic is not None:
                topics.append(topic)
            self._skip = self._size - min(self._size, self.PEEK)
            self._head, self._size = b"", None
        return topics


def _produce_topic(frame: bytes) -> str | None:
    """The first topic of a Produce request frame, None for anything else."""
    try:
        api_key, api_version = struct.unpack_from(">hh", frame, 0)
        if api_key != PRODUCE_API_KEY:
            return None
        offset = 8
        (client_len,) = struct.unpack_from(">h", frame, offset)
        offset += 2 + max(client_len, 0)
        if api_version >= 3:
            (txn_len,) = struct.unpack_from(">h", frame, offset)
            offset += 2 + max(txn_len, 0)
        offset += 2 + 4 + 4  # acks, timeout, topic count
        (topic_len,) = struct.unpack_from(">h", frame, offset)
        return frame[offset + 2 : offset + 2 + topic_len].decode()
    except (struct.error, UnicodeDecodeError):
        return "?"


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed peer or a cut cable would."""
    transport = writer.transport
    if transport.is_closing():
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
    transport.abort()
