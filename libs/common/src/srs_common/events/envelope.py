"""CloudEvents 1.0 in Kafka binary content mode.

The Kafka value is the JSON payload (the contract); attributes travel as ``ce_*``
headers; the Kafka key is the subject so one aggregate's events keep their order.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from srs_common.contracts.base import Contract

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED = ("ce_specversion", "ce_id", "ce_source", "ce_type")


class UndecodableMessage(ValueError):
    """The bytes on the wire are not a CloudEvent this platform can read."""


@dataclass(frozen=True, slots=True)
class Event:
    """A CloudEvent as a consumer sees it, with where it came from on the bus."""

    id: str
    source: str
    type: str
    subject: str | None
    time: dt.datetime | None
    correlation_id: str | None
    data: dict[str, Any]
    topic: str = ""
    partition: int = -1
    offset: int = -1
    key: str | None = None
    headers: dict[str, bytes] = field(default_factory=dict)
    payload: Contract | None = None

    def with_payload(self, payload: Contract) -> Event:
        return Event(
            self.id,
            self.source,
            self.type,
            self.subject,
            self.time,
            self.correlation_id,
            self.data,
            self.topic,
            self.partition,
            self.offset,
            self.key,
            self.headers,
            payload,
        )


_SPEC_VERSION = SPEC_VERSION.encode()
_CONTENT_TYPE = CONTENT_TYPE.encode()


def to_headers(
    *,
    event_id: str,
    source: str,
    event_type: str,
    subject: str | None,
    time: dt.datetime,
    correlation_id: str | None,
    traceparent: str | None = None,
    tracestate: str | None = None,
) -> list[tuple[str, bytes]]:
    if time.tzinfo is not dt.UTC:  # the database's UTC datetimes need no conversion
        time = time.astimezone(dt.UTC)
    headers = [
        ("ce_specversion", _SPEC_VERSION),
        ("ce_id", event_id.encode()),
        ("ce_source", source.encode()),
        ("ce_type", event_type.encode()),
        ("ce_time", time.isoformat().replace("+00:00", "Z").encode()),
        ("content-type", _CONTENT_TYPE),
    ]
    if subject is not None:
        headers.append(("ce_subject", subject.encode()))
        headers.append(("ce_partitionkey", subject.encode()))
    if correlation_id:
        headers.append(("ce_correlationid", correlation_id.encode()))
    # The CloudEvents distributed-tracing extension (W3C trace context).
    if traceparent:
        headers.append(("ce_traceparent", traceparent.encode()))
        if tracestate:
            headers.append(("ce_tracestate", tracestate.encode()))
    return headers


def encode_data(data: dict[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), default=str).encode()


def decode(
    *,
    value: bytes | None,
    headers: Sequence[tuple[str, bytes]],
    key: bytes | None,
    topic: str = "",
    partition: int = -1,
    offset: int = -1,
) -> Event:
    """Read a Kafka record as a CloudEvent, or raise :class:`UndecodableMessage`."""
    try:
        hdrs = {k: bytes(v) if v is not None else b"" for k, v in headers}
        missing = [h for h in REQUIRED if not hdrs.get(h)]
        if missing:
            raise UndecodableMessage(f"missing CloudEvent headers: {', '.join(missing)}")
        if hdrs["ce_specversion"].decode() != SPEC_VERSION:
            raise UndecodableMessage("unsupported CloudEvents specversion")
        if value is None:
            raise UndecodableMessage("empty value")
        data = json.loads(value)
        if not isinstance(data, dict):
            raise UndecodableMessage("payload is not a JSON object")
        time_raw = hdrs.get("ce_time")
        time = (
            dt.datetime.fromisoformat(time_raw.decode().replace("Z", "+00:00"))
            if time_raw
            else None
        )
        subject = hdrs.get("ce_subject")
        cid = hdrs.get("ce_correlationid")
        return Event(
            id=hdrs["ce_id"].decode(),
            source=hdrs["ce_source"].decode(),
            type=hdrs["ce_type"].decode(),
            subject=subject.decode() if subject else None,
            time=time,
            correlation_id=cid.decode() if cid else None,
            data=data,
            topic=topic,
            partition=partition,
            offset=offset,
            key=key.decode() if key else None,
            headers=hdrs,
        )
    except UndecodableMessage:
        raise
    except (ValueError, UnicodeDecodeError) as exc:
        raise UndecodableMessage(str(exc)) from exc
