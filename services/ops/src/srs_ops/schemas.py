"""Request and response models of the ops API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input
from srs_ops.domain import LagState

_EVENT_EXAMPLE: dict[str, Any] = {
    "id": 42,
    "event_id": "0b5c3c1e-8f7e-4c61-9d2e-4a0f0e2b6c11",
    "source": "/srs/projects",
    "type": "srs.project.approved.v1",
    "subject": "prj_01J9Z8Q4V6",
    "correlation_id": "req-7f3a",
    "time": "2026-11-25T10:00:00Z",
    "topic": "srs.projects",
    "partition": 1,
    "offset": 17,
    "key": "prj_01J9Z8Q4V6",
    "data": {"project_id": "prj_01J9Z8Q4V6"},
    "received_at": "2026-11-25T10:00:00.030Z",
}


class EventRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_EVENT_EXAMPLE]}
    )

    id: int = Field(description="position in the ops event store")
    event_id: str
    source: str
    type: str
    subject: str | None
    correlation_id: str | None
    time: dt.datetime | None
    topic: str
    partition: int
    offset: int
    key: str | None
    data: dict[str, Any]
    received_at: dt.datetime


class SagaStepRead(BaseModel):
    event: EventRead
    delay_ms: int | None = Field(description="milliseconds since the previous step")


class SagaRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "correlation_id": "req-7f3a",
                    "saga": "project-approval",
                    "complete": False,
                    "waiting_on": "srs.project.activated.v1",
                    "steps": [{"event": _EVENT_EXAMPLE, "delay_ms": None}],
                }
            ]
        }
    )

    correlation_id: str
    saga: str | None = Field(description="the known saga these events belong to")
    complete: bool
    waiting_on: str | None = Field(description="the event type a stuck saga waits for")
    steps: list[SagaStepRead]


class LagRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "group": "srs-access",
                    "topic": "srs.projects",
                    "partition": 0,
                    "end_offset": 10,
                    "committed_offset": 4,
                    "lag": 6,
                }
            ]
        }
    )

    group: str
    topic: str
    partition: int
    end_offset: int | None = Field(description="from the monitor's own fetches")
    committed_offset: int
    lag: int | None


class GroupLagRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "group": "srs-access",
                    "partitions": 12,
                    "lag": 6,
                    "max_partition_lag": 6,
                    "state": "ok",
                    "warning_at": 100,
                    "critical_at": 1000,
                }
            ]
        }
    )

    group: str
    partitions: int = Field(description="partitions the group has committed offsets on")
    lag: int | None = Field(description="summed over its partitions; null while unknown")
    max_partition_lag: int | None
    state: LagState = Field(description="ok, warning or critical against the thresholds")
    warning_at: int
    critical_at: int


class ServiceMessagingRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "service": "projects",
                    "reachable": True,
                    "outbox_backlog": 0,
                    "relay": {"leader": True},
                    "consumer": {"running": True},
                    "error": None,
                }
            ]
        }
    )

    service: str
    reachable: bool
    outbox_backlog: int | None = None
    relay: dict[str, Any] | None = None
    consumer: dict[str, Any] | None = None
    error: str | None = None


class HeaderRead(BaseModel):
    name: str
    value: str


_DEAD_LETTER_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "consumer": "access",
    "reason": "handler-failed",
    "error": "ValueError('...')",
    "attempts": 4,
    "origin_topic": "srs.projects",
    "origin_partition": 1,
    "origin_offset": 17,
    "event_id": "0b5c3c1e-8f7e-4c61-9d2e-4a0f0e2b6c11",
    "event_type": "srs.project.approved.v1",
    "subject": "prj_01J9Z8Q4V6",
    "correlation_id": "req-7f3a",
    "key": "prj_01J9Z8Q4V6",
    "state": "open",
    "action": None,
    "received_at": "2026-11-25T10:00:01Z",
}


class DeadLetterActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    actor: str
    reason: str
    acted_at: dt.datetime


class DeadLetterRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_DEAD_LETTER_EXAMPLE]})

    id: int
    consumer: str
    reason: str
    error: str
    attempts: int
    origin_topic: str
    origin_partition: int
    origin_offset: int
    event_id: str | None
    event_type: str | None
    subject: str | None
    correlation_id: str | None
    key: str | None
    state: str = Field(description="open, replayed or discarded")
    action: DeadLetterActionRead | None
    received_at: dt.datetime


class DeadLetterDetail(DeadLetterRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_DEAD_LETTER_EXAMPLE,
                    "headers": [{"name": "ce_type", "value": "srs.project.approved.v1"}],
                    "value": '{"project_id": "prj_01J9Z8Q4V6"}',
                }
            ]
        }
    )

    headers: list[HeaderRead]
    value: str | None = Field(description="the record's value (UTF-8, replacement for bad bytes)")


class DeadLetterDecision(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "handler fixed in access 1.4.2"}]},
    )

    reason: str = Field(min_length=3, max_length=2000, description="why (kept in the audit)")
