"""Typed event-handler registration: ``@handlers.on(Contract, ...)``.

A service keeps one :class:`Handlers` registry in its ``handlers.py``::

    HANDLERS = Handlers()

    @HANDLERS.on(ProjectApproved)
    async def on_project_approved(
        session: AsyncSession, event: Event, payload: ProjectApproved
    ) -> None: ...

    CONSUMED_TOPICS = HANDLERS.topics

The handler gets the payload already decoded as its contract (the third argument; the
event beside it carries the envelope: id, subject, time, correlation id). One handler may
take several contracts; its payload parameter is then their union, and mypy checks the
body against that union. Registering a contract twice, or a handler whose payload
annotation cannot take a contract it is registered for, fails at import.

The registry is a ``Mapping[str, Handler]`` from event type to the runner's two-argument
handler, which is what :class:`srs_common.events.consumer.ConsumerRunner` consumes, and it
gives the topics the service must subscribe to. :meth:`Handlers.on_every` registers the
catch-all of a consumer that keeps every event whatever its type (the operations monitor,
webhook deliveries); that handler receives the raw :class:`Event`, and
:meth:`Handlers.on_every_many` may give it a set-based form, which gets the run's raw
events of every type the catch-all takes, in order, in one call.

A contract whose events arrive in bursts may also have a set-based handler, registered
with :meth:`Handlers.on_many`: it gets a run of that contract's events (already claimed in
the inbox, in order) and must leave the database exactly as the one-event handler applied
to each in turn would. The runner uses it for runs of two or more such events in one
fetched batch, and the one-event handler for everything else (and for a run again, one by
one, when the run's transaction fails)::

    @HANDLERS.on_many(ProjectApproved)
    async def on_projects_approved(
        session: AsyncSession, events: Sequence[tuple[Event, ProjectApproved]]
    ) -> None: ...
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.base import Contract, contract_for
from srs_common.events.envelope import Event

# What the runner calls: the session of the inbox transaction and the consumed event.
Handler = Callable[[AsyncSession, Event], Awaitable[None]]

# A set-based handler: the session and a run of events of one contract, in order.
BatchHandler = Callable[[AsyncSession, list[Event]], Awaitable[None]]

# The key of the catch-all handler (any type without a handler of its own).
EVERY = "*"

P = TypeVar("P")
# A typed handler: the session, the event, and its payload as its contract.
TypedHandler = Callable[[AsyncSession, Event, P], Awaitable[None]]

# A typed set-based handler: the session and the run's (event, payload) pairs.
TypedBatchHandler = Callable[[AsyncSession, Sequence[tuple[Event, P]]], Awaitable[None]]

C1 = TypeVar("C1", bound=Contract)
R = TypeVar("R")
C2 = TypeVar("C2", bound=Contract)
C3 = TypeVar("C3", bound=Contract)
C4 = TypeVar("C4", bound=Contract)
C5 = TypeVar("C5", bound=Contract)
C6 = TypeVar("C6", bound=Contract)


class DuplicateHandler(ValueError):
    """A contract (or the catch-all) was given a second handler."""


def topics_of(contracts: Iterable[type[Contract]]) -> list[str]:
    """The distinct topics of ``contracts``, in order of first appearance."""
    return list(dict.fromkeys(contract.topic for contract in contracts))


def _accepted(handler: Callable[..., Any]) -> tuple[type, ...] | None:
    """The classes a handler's payload parameter (its third) accepts; None when it is
    unannotated, ``Any``, or its annotation cannot be resolved here."""
    try:
        hints = typing.get_type_hints(handler)
    except (NameError, TypeError):
        return None
    code = getattr(handler, "__code__", None)
    if code is None or code.co_argcount < 3:
        raise TypeError(
            f"{handler.__qualname__} must take (session, event, payload) to be registered "
            "for a contract"
        )
    hint = hints.get(code.co_varnames[2])
    if hint is None or hint is Any:
        return None
    if isinstance(hint, type):
        return (hint,)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        if all(isinstance(arg, type) for arg in args):
            return args
    return None


def _adapt(contract: type[Contract], handler: TypedHandler[Any]) -> Handler:
    """The runner's two-argument handler for ``handler`` registered for ``contract``."""

    @functools.wraps(handler)
    async def handle(session: AsyncSession, event: Event) -> None:
        payload = event.payload
        if not isinstance(payload, contract):
            # The runner validates before it calls; an event built by hand may not be.
            payload = contract.model_validate(event.data)
        await handler(session, event, payload)

    return handle


class Handlers(Mapping[str, Handler]):
    """A service's consumed contracts and their handlers."""

    def __init__(self) -> None:
        self._routes: dict[str, Handler] = {}
        self._contracts: dict[str, type[Contract]] = {}
        self._names: dict[str, str] = {}
        self._batches: dict[str, BatchHandler] = {}

    # -- registration -------------------------------------------------------------------
    @overload
    def on(self, c1: type[C1], /) -> Callable[[TypedHandler[C1]], TypedHandler[C1]]: ...

    @overload
    def on(
        self, c1: type[C1], c2: type[C2], /
    ) -> Callable[[TypedHandler[C1 | C2]], TypedHandler[C1 | C2]]: ...

    @overload
    def on(
        self, c1: type[C1], c2: type[C2], c3: type[C3], /
    ) -> Callable[[TypedHandler[C1 | C2 | C3]], TypedHandler[C1 | C2 | C3]]: ...

    @overload
    def on(
        self, c1: type[C1], c2: type[C2], c3: type[C3], c4: type[C4], /
    ) -> Callable[[TypedHandler[C1 | C2 | C3 | C4]], TypedHandler[C1 | C2 | C3 | C4]]: ...

    @overload
    def on(
        self, c1: type[C1], c2: type[C2], c3: type[C3], c4: type[C4], c5: type[C5], /
    ) -> Callable[[TypedHandler[C1 | C2 | C3 | C4 | C5]], TypedHandler[C1 | C2 | C3 | C4 | C5]]: ...

    @overload
    def on(
        self,
        c1: type[C1],
        c2: type[C2],
        c3: type[C3],
        c4: type[C4],
        c5: type[C5],
        c6: type[C6],
        /,
    ) -> Callable[
        [TypedHandler[C1 | C2 | C3 | C4 | C5 | C6]], TypedHandler[C1 | C2 | C3 | C4 | C5 | C6]
    ]: ...

    @overload
    def on(
        self, *contracts: type[Contract]
    ) -> Callable[[TypedHandler[Contract]], TypedHandler[Contract]]: ...

    def on(self, *contracts: type[Contract]) -> Callable[[Any], Any]:
        """Register the decorated handler for each of ``contracts``."""
        if not contracts:
            raise TypeError("on() needs at least one contract")
        for contract in contracts:
            event_type = getattr(contract, "type", None)
            if not isinstance(event_type, str) or contract_for(event_type) is not contract:
                raise TypeError(f"{contract!r} is not a registered event contract")

        def register(handler: TypedHandler[Any]) -> TypedHandler[Any]:
            accepted = _accepted(handler)
            for contract in contracts:
                if accepted is not None and not issubclass(contract, accepted):
                    raise TypeError(
                        f"{handler.__qualname__} is registered for {contract.__name__} but "
                        f"its payload parameter does not accept it"
                    )
            self._claim([c.type for c in contracts], handler)
            for contract in contracts:
                self._routes[contract.type] = _adapt(contract, handler)
                self._contracts[contract.type] = contract
            return handler

        return register

    def on_many(
        self, contract: type[C1], /
    ) -> Callable[[TypedBatchHandler[C1]], TypedBatchHandler[C1]]:
        """Register the decorated set-based handler for ``contract`` (see the module's
        text); the contract keeps its one-event handler, which must be registered too."""
        if contract_for(getattr(contract, "type", "")) is not contract:
            raise TypeError(f"{contract!r} is not a registered event contract")

        def register(handler: TypedBatchHandler[C1]) -> TypedBatchHandler[C1]:
            if contract.type in self._batches:
                raise DuplicateHandler(f"{handler.__qualname__}: {contract.type} has one")

            @functools.wraps(handler)
            async def handle(session: AsyncSession, events: list[Event]) -> None:
                pairs = [
                    (
                        event,
                        event.payload
                        if isinstance(event.payload, contract)
                        else contract.model_validate(event.data),
                    )
                    for event in events
                ]
                await handler(session, pairs)

            self._batches[contract.type] = handle
            return handler

        return register

    def on_rows(
        self,
        contract: type[C1],
        read: Callable[[AsyncSession, list[C1]], Awaitable[R]],
        apply: Callable[[R, C1], None],
    ) -> None:
        """Register both handlers of ``contract`` for a read model kept the common way:
        ``read(session, payloads)`` reads (and locks) every row the payloads touch, in a
        few statements, ``apply(rows, payload)`` changes them in memory, one flush writes
        them. The one-event handler is the same with a run of one."""

        async def apply_all(session: AsyncSession, payloads: list[C1]) -> None:
            rows = await read(session, payloads)
            for payload in payloads:
                apply(rows, payload)
            await session.flush()

        async def one(session: AsyncSession, event: Event, payload: C1) -> None:
            await apply_all(session, [payload])

        async def many(session: AsyncSession, events: Sequence[tuple[Event, C1]]) -> None:
            await apply_all(session, [payload for _, payload in events])

        self._claim([contract.type], apply)
        self._routes[contract.type] = _adapt(contract, one)
        self._contracts[contract.type] = contract
        self.on_many(contract)(many)

    def on_every(self, handler: Handler) -> Handler:
        """Register the catch-all: ``handler(session, event)`` for every type that has no
        handler of its own, payload decoded when the type has a contract (else None)."""
        self._claim([EVERY], handler)
        self._routes[EVERY] = handler
        return handler

    def on_every_many(self, handler: BatchHandler) -> BatchHandler:
        """Register the catch-all's set-based handler: ``handler(session, events)`` gets a
        run's events of every type without a handler of its own, in order, and must leave
        what the catch-all applied to each in turn would (which must be registered too)."""
        if EVERY in self._batches:
            raise DuplicateHandler(f"{handler.__qualname__}: the catch-all has one")
        self._batches[EVERY] = handler
        return handler

    def _claim(self, event_types: list[str], handler: Callable[..., Any]) -> None:
        repeated = [t for t in event_types if t in self._routes]
        repeated += [t for i, t in enumerate(event_types) if t in event_types[:i]]
        if repeated:
            owners = ", ".join(
                f"{t} (by {self._names.get(t, handler.__qualname__)})" for t in repeated
            )
            raise DuplicateHandler(f"{handler.__qualname__}: already handled: {owners}")
        for event_type in event_types:
            self._names[event_type] = handler.__qualname__

    # -- what the runner reads ----------------------------------------------------------
    @property
    def contracts(self) -> list[type[Contract]]:
        """The consumed contracts, in order of registration."""
        return list(self._contracts.values())

    @property
    def topics(self) -> list[str]:
        """The topics carrying the consumed contracts (the catch-all adds none: such a
        consumer names its topics itself)."""
        return topics_of(self._contracts.values())

    def batch_for(self, event_type: str) -> BatchHandler | None:
        """The set-based handler of ``event_type``, the catch-all's for a type without a
        handler of its own (None when it has none, or when the one-event handler was not
        registered: a run must always be able to fall back)."""
        if event_type in self._routes:
            return self._batches.get(event_type)
        if EVERY in self._routes:
            return self._batches.get(EVERY)
        return None

    def __getitem__(self, event_type: str) -> Handler:
        return self._routes[event_type]

    def __iter__(self) -> Iterator[str]:
        return iter(self._routes)

    def __len__(self) -> int:
        return len(self._routes)

    def __repr__(self) -> str:
        return f"Handlers({', '.join(self._routes)})"
