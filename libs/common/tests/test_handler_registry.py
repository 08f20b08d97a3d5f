"""The typed handler registry: ``@handlers.on(Contract)`` registration, duplicates refused
at import, the payload delivered as its contract, the consumed topics derived."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_common.contracts.base import Contract
from srs_common.events.consumer import ConsumerRunner
from srs_common.events.envelope import Event
from srs_common.events.handlers import DuplicateHandler, Handlers, topics_of
from srs_common.testing import consumer_record

from .conftest import make_settings, widget


class GadgetBuilt(Contract):
    """Test-only contracts on two topics."""

    type: ClassVar[str] = "srs.test_registry.gadget_built.v1"
    topic: ClassVar[str] = "srs.test-registry-gadgets"
    example: ClassVar[dict[str, Any]] = {"gadget_id": "g1", "parts": 3}

    gadget_id: str
    parts: int


class GadgetScrapped(Contract):
    type: ClassVar[str] = "srs.test_registry.gadget_scrapped.v1"
    topic: ClassVar[str] = "srs.test-registry-gadgets"
    example: ClassVar[dict[str, Any]] = {"gadget_id": "g1"}

    gadget_id: str


class PartOrdered(Contract):
    type: ClassVar[str] = "srs.test_registry.part_ordered.v1"
    topic: ClassVar[str] = "srs.test-registry-parts"
    example: ClassVar[dict[str, Any]] = {"part_id": "p1"}

    part_id: str


class NotAContract:
    type = "srs.test_registry.not_a_contract.v1"
    topic = "srs.test-registry-parts"


def event_of(contract: type[Contract], data: dict[str, Any], *, with_payload: bool) -> Event:
    event = Event(
        id=str(uuid.uuid4()),
        source="/srs/test",
        type=contract.type,
        subject="s1",
        time=dt.datetime.now(dt.UTC),
        correlation_id=None,
        data=data,
        key="s1",
    )
    return event.with_payload(contract.model_validate(data)) if with_payload else event


def test_decorated_handlers_are_routed_by_their_contracts_types():
    handlers = Handlers()

    @handlers.on(GadgetBuilt)
    async def built(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        return None

    @handlers.on(GadgetScrapped, PartOrdered)
    async def other(
        session: AsyncSession, event: Event, payload: GadgetScrapped | PartOrdered
    ) -> None:
        return None

    assert set(handlers) == {GadgetBuilt.type, GadgetScrapped.type, PartOrdered.type}
    assert len(handlers) == 3
    assert handlers.contracts == [GadgetBuilt, GadgetScrapped, PartOrdered]
    assert "srs.test_registry.unknown.v1" not in handlers
    # The decorator leaves the function itself callable as written.
    assert built.__name__ == "built" and handlers[GadgetBuilt.type].__name__ == "built"


def test_a_contract_registered_twice_is_refused_when_the_module_loads():
    handlers = Handlers()

    @handlers.on(GadgetBuilt)
    async def first(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        return None

    with pytest.raises(DuplicateHandler, match=r"gadget_built.*first"):

        @handlers.on(GadgetBuilt)
        async def second(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
            return None

    with pytest.raises(DuplicateHandler):

        @handlers.on(GadgetScrapped, GadgetScrapped)
        async def twice(session: AsyncSession, event: Event, payload: GadgetScrapped) -> None:
            return None

    # Nothing of a refused registration is kept.
    assert list(handlers) == [GadgetBuilt.type]


def test_a_second_catch_all_is_refused():
    handlers = Handlers()

    @handlers.on_every
    async def keep(session: AsyncSession, event: Event) -> None:
        return None

    with pytest.raises(DuplicateHandler):
        handlers.on_every(keep)


def test_a_handler_whose_payload_type_cannot_take_the_contract_is_refused():
    handlers = Handlers()
    with pytest.raises(TypeError, match="does not accept"):

        @handlers.on(GadgetBuilt, PartOrdered)
        async def narrow(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
            return None

    with pytest.raises(TypeError, match="session, event, payload"):

        @handlers.on(GadgetBuilt)
        async def untyped(session, event):  # type: ignore[no-untyped-def]
            return None

    assert len(handlers) == 0


def test_only_registered_contracts_can_be_handled():
    handlers = Handlers()
    with pytest.raises(TypeError, match="not a registered event contract"):
        handlers.on(NotAContract)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="at least one"):
        handlers.on()  # type: ignore[call-overload]


def test_consumed_topics_derive_from_the_registered_contracts():
    handlers = Handlers()

    @handlers.on(GadgetBuilt, GadgetScrapped)
    async def gadgets(
        session: AsyncSession, event: Event, payload: GadgetBuilt | GadgetScrapped
    ) -> None:
        return None

    assert handlers.topics == ["srs.test-registry-gadgets"]

    @handlers.on(PartOrdered)
    async def parts(session: AsyncSession, event: Event, payload: PartOrdered) -> None:
        return None

    assert handlers.topics == ["srs.test-registry-gadgets", "srs.test-registry-parts"]
    assert topics_of([PartOrdered, GadgetBuilt, PartOrdered]) == [
        "srs.test-registry-parts",
        "srs.test-registry-gadgets",
    ]
    # A catch-all names no topics: such a consumer subscribes to its own list.
    catch_all = Handlers()
    catch_all.on_every(gadgets)  # type: ignore[arg-type]
    assert catch_all.topics == []


@pytest.mark.parametrize("with_payload", [True, False], ids=["decoded", "raw-data-only"])
async def test_the_handler_receives_the_payload_as_its_contract(db, with_payload):
    """Through the runner's inbox transaction: the handler's third argument is the
    contract instance, also for an event that reached it with only its JSON data."""
    handlers = Handlers()
    seen: list[tuple[type, str, int]] = []

    @handlers.on(GadgetBuilt)
    async def built(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        seen.append((type(payload), payload.gadget_id, payload.parts))
        await session.execute(widget.insert().values(id=payload.gadget_id, applied=payload.parts))

    runner = ConsumerRunner(db, make_settings("127.0.0.1:1"), handlers, handlers.topics)
    event = event_of(GadgetBuilt, {"gadget_id": "g-7", "parts": 4}, with_payload=with_payload)
    assert await runner.apply(event) is True
    assert await runner.apply(event) is False  # the inbox: a redelivery changes nothing
    assert seen == [(GadgetBuilt, "g-7", 4)]
    async with db.engine.connect() as conn:
        assert (await conn.execute(select(widget.c.applied))).scalars().all() == [4]


async def test_the_catch_all_gets_every_type_without_a_handler_of_its_own(db):
    handlers = Handlers()
    typed: list[str] = []
    caught: list[str] = []

    @handlers.on(GadgetBuilt)
    async def built(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        typed.append(payload.gadget_id)

    @handlers.on_every
    async def everything(session: AsyncSession, event: Event) -> None:
        caught.append(event.type)

    runner = ConsumerRunner(db, make_settings("127.0.0.1:1"), handlers, [])
    await runner.apply(event_of(GadgetBuilt, {"gadget_id": "g-1", "parts": 1}, with_payload=True))
    await runner.apply(event_of(PartOrdered, {"part_id": "p-1"}, with_payload=True))
    assert typed == ["g-1"] and caught == [PartOrdered.type]


def test_the_catch_all_set_based_handler_takes_every_type_the_catch_all_takes():
    handlers = Handlers()

    @handlers.on(GadgetBuilt)
    async def built(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        return None

    async def everything_many(session: AsyncSession, events: list[Event]) -> None:
        return None

    handlers.on_every_many(everything_many)
    # Without the one-event catch-all a run could not fall back: no set-based form.
    assert handlers.batch_for(PartOrdered.type) is None

    @handlers.on_every
    async def everything(session: AsyncSession, event: Event) -> None:
        return None

    assert handlers.batch_for(PartOrdered.type) is everything_many
    assert handlers.batch_for(GadgetScrapped.type) is everything_many
    assert handlers.batch_for(GadgetBuilt.type) is None  # its own handler, one at a time
    with pytest.raises(DuplicateHandler):
        handlers.on_every_many(everything_many)


@pytest.mark.parametrize("run_fails", [False, True], ids=["together", "run-fails"])
async def test_a_run_goes_to_the_catch_all_set_based_handler_in_one_call(db, run_fails):
    """The run's events of the types the catch-all takes reach its set-based handler in
    one call, in order, whatever their types and keys; when that call fails, each event
    is applied alone through the one-event catch-all instead."""
    handlers = Handlers()
    calls: list[list[str]] = []
    alone: list[str] = []
    own: list[str] = []

    @handlers.on(GadgetBuilt)
    async def built(session: AsyncSession, event: Event, payload: GadgetBuilt) -> None:
        own.append(payload.gadget_id)

    @handlers.on_every
    async def everything(session: AsyncSession, event: Event) -> None:
        alone.append(event.subject or "")

    @handlers.on_every_many
    async def everything_many(session: AsyncSession, events: list[Event]) -> None:
        calls.append([event.subject or "" for event in events])
        if run_fails:
            raise ValueError("the run cannot be applied together")

    run = [
        (GadgetScrapped(gadget_id="g1"), "k1"),
        (PartOrdered(part_id="p1"), "k1"),  # the same key, another type: same call
        (GadgetBuilt(gadget_id="g2", parts=2), "k2"),
        (PartOrdered(part_id="p2"), "k3"),
        (GadgetScrapped(gadget_id="g3"), "k4"),
    ]
    runner = ConsumerRunner(db, make_settings("127.0.0.1:1"), handlers, [])
    await runner.records.process_all(
        [consumer_record(payload, subject=key, offset=n) for n, (payload, key) in enumerate(run)]
    )
    assert calls == [["k1", "k1", "k3", "k4"]]
    assert alone == (["k1", "k1", "k3", "k4"] if run_fails else [])
    assert own == ["g2"]
    assert runner.processed == len(run)
