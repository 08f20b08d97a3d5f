"""Personal data in the operations views: the event store and dead letters keep payloads
whole; an ``ops`` token (read-only monitoring) never sees a researcher's name or e-mail
address in any route that shows events or dead letters (search, saga, live stream,
dead-letter list and detail), while ``support`` sees them whole."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from srs_common.contracts.accreditation import ResearcherRegistered, ResearcherUpdated
from srs_common.contracts.projects import ProjectApproved
from srs_common.db import utcnow
from srs_common.events.consumer import dead_letter_headers
from srs_common.events.envelope import encode_data, to_headers
from srs_ops.cli import sse_events
from srs_ops.models import EventRecord
from srs_ops.monitor import dead_letter_from
from srs_ops.privacy import MASK, WITHHELD

NAME, EMAIL = "Alice Quartermaine", "alice.quartermaine@ntu.example"
NEW_NAME, NEW_EMAIL = "Alice Q. Smith", "a.smith@ntu.example"
PERSONAL = (NAME, EMAIL, NEW_NAME, NEW_EMAIL, "quartermaine")
CORRELATION = "corr-personal"
T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def registered() -> dict[str, Any]:
    return ResearcherRegistered.model_validate(
        {**ResearcherRegistered.example, "researcher_id": "res-aq", "name": NAME, "email": EMAIL}
    ).model_dump(mode="json")


def updated() -> dict[str, Any]:
    return ResearcherUpdated.model_validate(
        {
            **ResearcherUpdated.example,
            "researcher_id": "res-aq",
            "name": NEW_NAME,
            "email": NEW_EMAIL,
        }
    ).model_dump(mode="json")


def record(event_type: str, data: dict[str, Any], *, offset: int) -> EventRecord:
    return EventRecord(
        event_id=str(uuid.uuid4()),
        source="/srs/accreditation",
        type=event_type,
        subject="res-aq",
        correlation_id=CORRELATION,
        time=T0 + dt.timedelta(seconds=offset),
        topic="srs.accreditation",
        partition=0,
        offset=offset,
        key="res-aq",
        data=data,
        received_at=utcnow(),
    )


async def store_events(client) -> None:
    async with client.runtime.db.transaction() as session:
        session.add_all(
            [
                record(ResearcherRegistered.type, registered(), offset=0),
                record(ResearcherUpdated.type, updated(), offset=1),
                record(ProjectApproved.type, ProjectApproved.example, offset=2),
            ]
        )


def assert_no_personal_data(text: str) -> None:
    for value in PERSONAL:
        assert value.lower() not in text.lower(), f"{value!r} shown to ops"


def assert_personal_data(text: str) -> None:
    for value in (NAME, EMAIL, NEW_NAME, NEW_EMAIL):
        assert value in text or json.dumps(value)[1:-1] in text, f"{value!r} not shown"


# -- event store: search and saga ----------------------------------------------------


async def test_ops_sees_events_with_personal_fields_masked(client, tokens):
    await store_events(client)
    response = await client.get("/v1/events", headers=tokens.headers("ops"))
    assert response.status_code == 200
    assert_no_personal_data(response.text)
    by_type = {e["type"]: e["data"] for e in response.json()["items"]}
    assert by_type[ResearcherRegistered.type] == {**registered(), "name": MASK, "email": MASK}
    assert by_type[ResearcherUpdated.type]["researcher_id"] == "res-aq"
    # Nothing personal in it: shown as it is.
    assert by_type[ProjectApproved.type] == ProjectApproved.example

    filtered = await client.get(
        "/v1/events",
        params={"type": ResearcherUpdated.type, "subject": "res-aq"},
        headers=tokens.headers("ops"),
    )
    assert len(filtered.json()["items"]) == 1
    assert_no_personal_data(filtered.text)


async def test_support_sees_events_whole(client, tokens):
    await store_events(client)
    response = await client.get("/v1/events", headers=tokens.headers("support"))
    assert_personal_data(response.text)
    data = {e["type"]: e["data"] for e in response.json()["items"]}
    assert data[ResearcherRegistered.type] == registered()
    # A token holding both roles is support staff.
    both = await client.get("/v1/events", headers=tokens.headers("ops", "support"))
    assert_personal_data(both.text)


async def test_the_saga_view_masks_for_ops_only(client, tokens):
    await store_events(client)
    ops = await client.get(f"/v1/sagas/{CORRELATION}", headers=tokens.headers("ops"))
    assert ops.status_code == 200 and len(ops.json()["steps"]) == 3
    assert_no_personal_data(ops.text)
    support = await client.get(f"/v1/sagas/{CORRELATION}", headers=tokens.headers("support"))
    assert_personal_data(support.text)


async def test_the_store_keeps_payloads_whole(client, tokens):
    """Masking is a view: what support sees later is what arrived."""
    await store_events(client)
    await client.get("/v1/events", headers=tokens.headers("ops"))
    support = (
        await client.get(
            "/v1/events",
            params={"type": ResearcherRegistered.type},
            headers=tokens.headers("support"),
        )
    ).json()
    assert support["items"][0]["data"]["email"] == EMAIL


# -- the live stream (a real HTTP server: the stream never ends) ----------------------


@contextlib.asynccontextmanager
async def served(app) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await asyncio.wait_for(task, timeout=10)
        sock.close()


async def first_stream_events(
    base: str, headers: dict[str, str], count: int
) -> list[dict[str, Any]]:
    async with (
        httpx.AsyncClient(base_url=base, timeout=10) as http,
        http.stream("GET", "/v1/events/stream", params={"after": 0}, headers=headers) as response,
    ):
        assert response.status_code == 200
        events: list[dict[str, Any]] = []
        lines: list[str] = []
        async for line in response.aiter_lines():
            lines.append(line)
            if line == "":
                events = list(sse_events(iter(lines)))
                if len(events) >= count:
                    return events
    raise AssertionError("the stream ended early")


@pytest.mark.parametrize("role", ["ops", "support"])
async def test_the_live_stream_masks_for_ops_only(client, tokens, role):
    await store_events(client)
    async with served(client.app) as base:
        events = await asyncio.wait_for(
            first_stream_events(base, tokens.headers(role), 3), timeout=20
        )
    text = json.dumps(events, ensure_ascii=False)
    if role == "ops":
        assert_no_personal_data(text)
        assert events[0]["data"]["name"] == MASK
    else:
        assert_personal_data(text)


# -- dead letters --------------------------------------------------------------------


def contract_violation() -> tuple[bytes, str]:
    """A researcher.updated payload its contract rejects (no organisation), with the
    error the consumer records: pydantic quotes the input it failed on."""
    payload = {k: v for k, v in updated().items() if k != "organisation_id"}
    try:
        ResearcherUpdated.model_validate(payload)
    except ValidationError as exc:
        error = str(exc)
    assert "input_value={'researcher_id'" in error
    return encode_data(payload), error


def handler_failure() -> tuple[bytes, str]:
    """A valid researcher.updated the notifier failed on, its error naming the address."""
    return encode_data(updated()), repr(
        ValueError(f"SMTP server refused recipient {NEW_NAME} <{NEW_EMAIL}>")
    )


def kafka_record(
    topic: str, value: bytes, headers: list[tuple[str, bytes]], *, offset: int
) -> ConsumerRecord:
    return ConsumerRecord(
        topic=topic,
        partition=0,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"res-aq",
        value=value,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=len(value),
        headers=headers,
    )


async def store_dead_letter(
    client, value: bytes, error: str, *, offset: int, reason: str = "contract-violation"
) -> int:
    """The dead letter the monitor reads from ``srs.dlq.notify`` when the notifier's
    consumer gives up on a researcher.updated record."""
    origin = kafka_record(
        "srs.accreditation",
        value,
        to_headers(
            event_id=str(uuid.uuid4()),
            source="/srs/accreditation",
            event_type=ResearcherUpdated.type,
            subject="res-aq",
            time=T0,
            correlation_id=CORRELATION,
        ),
        offset=offset,
    )
    headers = dead_letter_headers(origin, consumer="notify", error=error, attempts=0, reason=reason)
    async with client.runtime.db.transaction() as session:
        letter = dead_letter_from(kafka_record("srs.dlq.notify", value, headers, offset=offset))
        session.add(letter)
        await session.flush()
        return letter.id


async def test_ops_sees_dead_letters_without_personal_data(client, tokens):
    value, error = handler_failure()
    letter_id = await store_dead_letter(client, value, error, offset=1, reason="handler-failed")
    ops = tokens.headers("ops")

    listed = await client.get("/v1/dead-letters", headers=ops)
    assert listed.status_code == 200 and listed.json()["items"][0]["id"] == letter_id
    assert_no_personal_data(listed.text)

    detail = await client.get(f"/v1/dead-letters/{letter_id}", headers=ops)
    assert detail.status_code == 200
    assert_no_personal_data(detail.text)
    body = detail.json()
    assert json.loads(body["value"]) == {**updated(), "name": MASK, "email": MASK}
    # What went wrong is still said.
    assert body["error"] == repr(ValueError(f"SMTP server refused recipient {MASK} <{MASK}>"))
    headers = {h["name"]: h["value"] for h in body["headers"]}
    assert headers["ce_type"] == ResearcherUpdated.type
    assert headers["srs_dlq_error"] == body["error"]


async def test_input_quoted_by_a_contract_violation_is_masked_for_ops(client, tokens):
    value, error = contract_violation()
    letter_id = await store_dead_letter(client, value, error, offset=2)
    body = (await client.get(f"/v1/dead-letters/{letter_id}", headers=tokens.headers("ops"))).json()
    assert f"input_value={MASK}, input_type=dict" in body["error"]
    assert "organisation_id\n  Field required" in body["error"]
    assert_no_personal_data(json.dumps(body))


async def test_support_sees_dead_letters_whole(client, tokens):
    value, error = handler_failure()
    letter_id = await store_dead_letter(client, value, error, offset=3, reason="handler-failed")
    support = tokens.headers("support")
    detail = (await client.get(f"/v1/dead-letters/{letter_id}", headers=support)).json()
    assert json.loads(detail["value"])["email"] == NEW_EMAIL
    assert detail["error"] == error
    listed = (await client.get("/v1/dead-letters", headers=support)).json()
    assert listed["items"][0]["error"] == error


async def test_a_dead_letter_that_is_not_json_is_withheld_from_ops(client, tokens):
    raw = f"name={NAME}; email={EMAIL}".encode()
    letter_id = await store_dead_letter(
        client, raw, "Expecting value: line 1 column 1", offset=4, reason="undecodable"
    )
    ops = await client.get(f"/v1/dead-letters/{letter_id}", headers=tokens.headers("ops"))
    assert ops.json()["value"] == WITHHELD
    assert_no_personal_data(ops.text)
    support = await client.get(f"/v1/dead-letters/{letter_id}", headers=tokens.headers("support"))
    assert support.json()["value"] == raw.decode()
