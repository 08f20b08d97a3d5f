"""Applying a partition's records, in order: shared transactions for ordinary runs, the
one-record path (quarantine, retries, dead letters) for everything else."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from srs_common.config import ServiceSettings
from srs_common.contracts.base import contract_for
from srs_common.db import Database
from srs_common.events.consumer.classify import (
    Action,
    ContractViolation,
    Decision,
    Reason,
    WaitingBehind,
    classify,
)
from srs_common.events.consumer.dead_letters import DISCARD_HEADER, REPLAY_HEADER, DeadLetters
from srs_common.events.consumer.inbox import Duplicate, Inbox
from srs_common.events.envelope import Event, UndecodableMessage, decode
from srs_common.events.handlers import EVERY, BatchHandler, Handler
from srs_common.observability import (
    EVENT_DELAY,
    EVENT_HANDLING,
    EVENTS_CONSUMED,
    correlation_id,
)
from srs_common.tracing import process_span, process_spans

log = logging.getLogger(__name__)


def read(record: ConsumerRecord) -> Event:
    """The record as a CloudEvent, or :class:`UndecodableMessage`."""
    return decode(
        value=record.value,
        headers=record.headers or (),
        key=record.key,
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
    )


def typed(event: Event) -> Event:
    """``event`` with its payload decoded by its contract (unchanged when its type has
    none), or :class:`ContractViolation`."""
    contract = contract_for(event.type)
    if contract is None:
        return event
    try:
        return event.with_payload(contract.model_validate(event.data))
    except ValidationError as exc:
        raise ContractViolation(str(exc)) from exc


class Records:
    """How one consumer applies the records it fetched."""

    def __init__(
        self,
        *,
        db: Database,
        settings: ServiceSettings,
        handlers: Mapping[str, Handler],
        consumer: str,
        inbox: Inbox,
        dead_letters: DeadLetters,
        sleep: Callable[[float], Awaitable[None]],
        tracer: Any,
    ) -> None:
        self.db = db
        self.settings = settings
        self.handlers = handlers
        self.consumer = consumer
        self.inbox = inbox
        self.dead_letters = dead_letters
        self._sleep = sleep
        self._tracer = tracer
        self.processed = 0

    def handler_for(self, event_type: str) -> Handler | None:
        # "*" is a catch-all (the operations monitor stores every event it sees).
        return self.handlers.get(event_type) or self.handlers.get(EVERY)

    # -- a partition's records ----------------------------------------------------------
    async def process_all(self, records: list[ConsumerRecord]) -> None:
        """Apply fetched records, each partition's in order. A run of ordinary records (known
        type, valid payload, no quarantine, no operator header) shares one transaction, so
        a burst costs one commit instead of one per event; anything else, and any run
        whose transaction fails, takes the one-record path with its retries and dead
        letters. Order is kept: a run is committed before the record that ends it."""
        run: list[tuple[ConsumerRecord, Event, Handler]] = []
        for record in records:
            ordinary = self._ordinary(record)
            if ordinary is None:
                await self._apply_run(run)
                run = []
                await self._process(record)
            elif isinstance(ordinary, tuple):
                run.append((record, *ordinary))
        await self._apply_run(run)

    def _ordinary(self, record: ConsumerRecord) -> tuple[Event, Handler] | bool | None:
        """(event, handler) for a record that may join a shared transaction; False for one
        with no handler (skipped); None for one that needs the one-record path."""
        try:
            event = read(record)
        except UndecodableMessage:
            return None
        if DISCARD_HEADER in event.headers or REPLAY_HEADER in event.headers:
            return None
        handler = self.handler_for(event.type)
        if handler is None:
            return False
        if self.dead_letters.holds(event.key):
            return None
        try:
            return typed(event), handler
        except ContractViolation:
            return None

    async def _apply_run(self, run: list[tuple[ConsumerRecord, Event, Handler]]) -> None:
        if len(run) < 2 or self.settings.consumer_max_batch <= 1:
            for record, event, handler in run:
                await self._handle_with_context(record, event, handler)
            return
        for start in range(0, len(run), self.settings.consumer_max_batch):
            await self._apply_together(run[start : start + self.settings.consumer_max_batch])

    async def _apply_together(self, run: list[tuple[ConsumerRecord, Event, Handler]]) -> None:
        """Apply a run in one transaction: one inbox statement claims the whole run, then
        each event goes to its handler in order, except that events sharing a set-based
        handler are applied together (see :meth:`_groups`)."""
        now = time.time()
        for record, _, _ in run:
            if record.timestamp:
                EVENT_DELAY.labels(self.consumer).observe(max(0.0, now - record.timestamp / 1000))
        started = time.perf_counter()
        handlers = {id(event): handler for _, event, handler in run}
        try:
            async with self.db.transaction() as session:
                claimed = await self.inbox.claim_many(session, [event for _, event, _ in run])
                for batch, group in self._groups([(e, handlers[id(e)]) for e in claimed]):
                    if batch is not None:
                        events = [event for event, _ in group]
                        with process_spans(self._tracer, self.consumer, events):
                            await batch(session, events)
                        continue
                    for event, handler in group:
                        token = correlation_id.set(event.correlation_id)
                        try:
                            with process_span(self._tracer, self.consumer, event):
                                await handler(session, event)
                        finally:
                            correlation_id.reset(token)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - nothing of the run was committed
            log.info(
                "%s: a run of %d events failed together (%r); applying them one by one",
                self.consumer,
                len(run),
                exc,
            )
            for record, event, handler in run:
                await self._handle_with_context(record, event, handler, delay_observed=True)
            return
        share = (time.perf_counter() - started) / len(run)
        applied = {id(event) for event in claimed}
        for _, event, _ in run:
            self._record_outcome(event, "applied" if id(event) in applied else "duplicate", share)
        self.processed += len(claimed)

    def _groups(
        self, events: list[tuple[Event, Handler]]
    ) -> list[tuple[BatchHandler | None, list[tuple[Event, Handler]]]]:
        """The claimed events of a run as groups to apply in turn: a group of a set-based
        handler gathers that handler's events (its contract's, or for the catch-all's, of
        every type it takes), a group without one holds a single event. Order per key is
        kept: an event whose key was seen in the current groups in another lane (another
        set-based handler, or another type without one), or that has no key, closes them,
        so it is applied after everything before it; events of different keys may be
        applied in another order, as they may arrive in any order from different
        partitions anyway."""
        batch_for = getattr(self.handlers, "batch_for", None)
        groups: list[tuple[BatchHandler | None, list[tuple[Event, Handler]]]] = []
        open_batches: dict[BatchHandler, int] = {}
        lanes_by_key: dict[str, BatchHandler | str] = {}
        for event, handler in events:
            batch = batch_for(event.type) if batch_for is not None else None
            lane = batch if batch is not None else event.type
            seen = lanes_by_key.get(event.key) if event.key is not None else None
            if event.key is None or (seen is not None and seen != lane):
                open_batches.clear()
                lanes_by_key.clear()
            if event.key is not None:
                lanes_by_key[event.key] = lane
            if batch is not None and batch in open_batches:
                groups[open_batches[batch]][1].append((event, handler))
                continue
            groups.append((batch, [(event, handler)]))
            if batch is not None:
                open_batches[batch] = len(groups) - 1
        # A set-based handler is for runs: a group of one takes the one-event handler.
        return [(b if len(g) > 1 else None, g) for b, g in groups]

    def _record_outcome(self, event: Event, outcome: str, seconds: float) -> None:
        EVENT_HANDLING.labels(self.consumer, event.type).observe(seconds)
        EVENTS_CONSUMED.labels(self.consumer, event.type, outcome).inc()
        log.info(
            "%s %s %s (subject %s, %s[%d]@%d)",
            self.consumer,
            outcome,
            event.type,
            event.subject,
            event.topic,
            event.partition,
            event.offset,
        )

    async def _handle_with_context(
        self,
        record: ConsumerRecord,
        event: Event,
        handler: Handler,
        *,
        delay_observed: bool = False,
    ) -> None:
        token = correlation_id.set(event.correlation_id)
        try:
            with process_span(self._tracer, self.consumer, event):
                await self._handle(record, event, handler, delay_observed=delay_observed)
        finally:
            correlation_id.reset(token)

    # -- one record -------------------------------------------------------------------
    async def _process(self, record: ConsumerRecord) -> None:
        try:
            event = read(record)
        except UndecodableMessage as exc:
            await self._settle(record, exc, None)
            return
        if DISCARD_HEADER in event.headers:
            # Before any validation: a discarded dead letter may be one its contract rejects.
            async with self.db.transaction() as session:
                await self.dead_letters.resolve(session, event)
            log.info("%s discarded dead letter %s by operator request", self.consumer, event.id)
            return
        handler = self.handler_for(event.type)
        if handler is None:
            return
        try:
            event = typed(event)
        except ContractViolation as exc:
            await self._settle(record, exc, event)
            return
        await self._handle_with_context(record, event, handler)

    async def _settle(
        self,
        record: ConsumerRecord,
        failure: Exception,
        event: Event | None,
        *,
        attempts: int = 0,
        waits: int = 0,
    ) -> Decision:
        """Classify ``failure`` (the one place that decides) and, when the decision parks
        the record, dead-letter it (quarantining its key when it has one)."""
        decision = classify(
            failure,
            key=event.key if event is not None else None,
            attempts=attempts,
            waits=waits,
            settings=self.settings,
        )
        if decision.reason is None:
            return decision  # wait or retry: the caller sleeps and tries again
        if decision.reason is Reason.HANDLER_FAILED:
            log.error(
                "handler for %s failed %d times; dead-lettering",
                event.type if event is not None else "?",
                attempts,
                exc_info=failure,
            )
        await self.dead_letters.send(
            record,
            error=repr(failure) if decision.reason is Reason.HANDLER_FAILED else str(failure),
            attempts=attempts,
            reason=decision.reason,
            hold=event if decision.action is Action.QUARANTINE else None,
        )
        return decision

    async def _handle(
        self,
        record: ConsumerRecord,
        event: Event,
        handler: Handler,
        *,
        delay_observed: bool = False,
    ) -> None:
        blocker, is_head = await self.dead_letters.blocking(event.key, event.id)
        if blocker is not None:
            await self._settle(record, WaitingBehind(blocker), event)
            return
        attempts = 0
        waits = 0
        while True:
            attempts += 1
            try:
                started = time.perf_counter()
                if attempts == 1 and record.timestamp and not delay_observed:
                    EVENT_DELAY.labels(self.consumer).observe(
                        max(0.0, time.time() - record.timestamp / 1000)
                    )
                applied = await self.apply(event, handler, resolve=is_head)
                self._record_outcome(
                    event, "applied" if applied else "duplicate", time.perf_counter() - started
                )
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every handler failure is classified
                decision = await self._settle(record, exc, event, attempts=attempts, waits=waits)
                if decision.parks:
                    EVENTS_CONSUMED.labels(self.consumer, event.type, "dead_letter").inc()
                    return
                if decision.action is Action.WAIT:
                    # The database (or the network to it) is away: wait for it, however
                    # long; this is not the event's fault and must never dead-letter it.
                    attempts -= 1
                    waits += 1
                    log.warning(
                        "database unavailable while handling %s; waiting %.2fs: %r",
                        event.type,
                        decision.delay,
                        exc,
                    )
                else:
                    log.warning(
                        "handler for %s failed (attempt %d), retrying: %r",
                        event.type,
                        attempts,
                        exc,
                    )
                await self._sleep(decision.delay * (0.5 + random.random()))

    async def apply(
        self, event: Event, handler: Handler | None = None, *, resolve: bool = False
    ) -> bool:
        """Run the handler and record the event in the inbox, in one transaction.

        Returns False (and changes nothing) when the event was already applied.
        Tests call this directly to prove handlers idempotent without a broker.
        """
        handler = handler or self.handler_for(event.type) or self.handlers[EVERY]
        try:
            async with self.db.transaction() as session:
                await self.inbox.claim_or_raise(session, event)
                await handler(session, event)
                if resolve:
                    await self.dead_letters.resolve(session, event)
        except Duplicate:
            if resolve:
                async with self.db.transaction() as session:
                    await self.dead_letters.resolve(session, event)
            return False
        self.processed += 1
        return True
