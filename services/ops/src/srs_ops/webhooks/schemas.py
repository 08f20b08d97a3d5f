"""Request and response models of the webhook API."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from srs_common.inputs import Input

_URL = "https://hooks.ntu.example/srs"
_TYPES: list[JsonValue] = ["srs.accreditation.granted.v1", "srs.project.approved.v1"]


class SubscriptionCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"url": _URL, "event_types": _TYPES, "description": "accreditations and projects"}
            ]
        },
    )

    url: str = Field(
        min_length=1, max_length=2000, description="https endpoint (no credentials in the URL)"
    )
    event_types: list[str] = Field(
        min_length=1, max_length=100, description="CloudEvent types to receive"
    )
    description: str | None = Field(None, max_length=500)


class SubscriptionUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"enabled": True}, {"url": _URL, "event_types": _TYPES}]},
    )

    url: str | None = Field(None, min_length=1, max_length=2000)
    event_types: list[str] | None = Field(None, min_length=1, max_length=100)
    description: str | None = Field(None, max_length=500)
    enabled: bool | None = Field(None, description="true re-enables a disabled subscription")


_SUBSCRIPTION: dict[str, JsonValue] = {
    "id": "whs_3f9c2a7b1e4d4c0e9a1b",
    "organisation_id": "org-ntu",
    "url": _URL,
    "event_types": _TYPES,
    "description": None,
    "enabled": True,
    "consecutive_failures": 0,
    "failing_since": None,
    "disabled_reason": None,
    "disabled_at": None,
    "created_at": "2026-11-25T10:00:00Z",
    "updated_at": "2026-11-25T10:00:00Z",
}


class SubscriptionRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_SUBSCRIPTION]},
    )

    id: str
    organisation_id: str
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    consecutive_failures: int
    failing_since: dt.datetime | None
    disabled_reason: str | None
    disabled_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class SubscriptionWithSecret(SubscriptionRead):
    """Returned once, at creation and at rotation: the only time the secret is shown."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **_SUBSCRIPTION,
                    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                }
            ]
        },
    )

    secret: str = Field(description="signing secret; store it now, it is not shown again")


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    attempt_number: int
    attempted_at: dt.datetime
    status_code: int | None
    latency_ms: int
    error: str | None


_DELIVERY: dict[str, JsonValue] = {
    "id": 42,
    "subscription_id": "whs_3f9c2a7b1e4d4c0e9a1b",
    "event_id": "6f1c1f0e-4a53-4d39-9a57-0f4c2a9c1b11",
    "event_type": "srs.project.approved.v1",
    "subject": "prj_01J9Z8Q4V6",
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-11-25T10:00:20Z",
    "retry_until": "2026-11-26T10:00:00Z",
    "last_status_code": 503,
    "last_error": None,
    "created_at": "2026-11-25T10:00:00Z",
    "delivered_at": None,
}


class DeliveryRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_DELIVERY]},
    )

    id: int
    subscription_id: str
    event_id: str
    event_type: str
    subject: str | None
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: dt.datetime | None
    retry_until: dt.datetime
    last_status_code: int | None
    last_error: str | None
    created_at: dt.datetime
    delivered_at: dt.datetime | None


class DeliveryDetail(DeliveryRead):
    """A delivery with its body (the CloudEvent sent) and every attempt."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_DELIVERY,
                    "body": '{"specversion":"1.0","id":"6f1c1f0e-4a53-4d39-9a57-0f4c2a9c1b11",'
                    '"source":"/srs/projects","type":"srs.project.approved.v1",'
                    '"subject":"prj_01J9Z8Q4V6","time":"2026-11-25T10:00:00Z",'
                    '"datacontenttype":"application/json","data":{"project_id":"prj_01J9Z8Q4V6"}}',
                    "attempt_log": [
                        {
                            "attempt_number": 1,
                            "attempted_at": "2026-11-25T10:00:01Z",
                            "status_code": 503,
                            "latency_ms": 84,
                            "error": None,
                        },
                        {
                            "attempt_number": 2,
                            "attempted_at": "2026-11-25T10:00:11Z",
                            "status_code": None,
                            "latency_ms": 10002,
                            "error": "ReadTimeout: timed out",
                        },
                    ],
                }
            ]
        }
    )

    body: str
    attempt_log: list[AttemptRead]
