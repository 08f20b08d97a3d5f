"""Request and response models of the notify API."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from srs_common.inputs import Input
from srs_common.pagination import Page
from srs_common.params import DateTimeParam
from srs_notify import domain

# A researcher sets preferences for their own notices; the log holds every notice.
NoticeKey = Literal[tuple(domain.RESEARCHER_NOTICES)]  # type: ignore[valid-type]
AnyNotice = Literal[tuple(domain.NOTICES)]  # type: ignore[valid-type]
Status = Literal[domain.STATUSES]  # type: ignore[valid-type]


class NoticePreference(BaseModel):
    notice: str
    description: str
    optional: bool = Field(description="reminders can be turned off; decisions cannot")
    enabled: bool


class PreferencesRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "researcher_id": "res-alice",
                    "notices": [
                        {
                            "notice": "booking_confirmed",
                            "description": "Your booking is confirmed",
                            "optional": False,
                            "enabled": True,
                        },
                        {
                            "notice": "booking_reminder",
                            "description": "Reminder the day before a booking",
                            "optional": True,
                            "enabled": False,
                        },
                    ],
                }
            ]
        }
    )

    researcher_id: str
    notices: list[NoticePreference]


class PreferencesUpdate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"notices": {"booking_reminder": False, "accreditation_expiring": True}}]
        },
    )

    notices: dict[NoticeKey, bool] = Field(  # type: ignore[valid-type]
        min_length=1,
        description="notice -> on (true) or off (false); only optional "
        "notices (reminders) can be turned off",
    )


class DeliveryLogFilters(BaseModel):
    researcher_id: str | None = Field(
        None,
        max_length=100,
        description="the recipient (a researcher id, or mailbox:<name> for staff and data owners)",
    )
    notice: AnyNotice | None = None  # type: ignore[valid-type]
    event_type: str | None = Field(None, max_length=200)
    event_id: str | None = Field(None, max_length=36)
    about: str | None = Field(
        None, max_length=200, description="booking, project, output or application id"
    )
    status: Status | None = None
    created_from: DateTimeParam | None = Field(None, description="queued at or after (UTC)")
    created_to: DateTimeParam | None = Field(None, description="queued before (UTC)")


_LOG_EXAMPLE: dict[str, Any] = {
    "id": 42,
    "event_id": "5f1c7a3e-2b1d-4d0e-9f59-0c1f3c2f9a11",
    "event_type": "srs.booking.cancelled.v1",
    "notice": "booking_cancelled",
    "researcher_id": "res-alice",
    "about": "bkg_1",
    "email": "alice@ntu.example",
    "subject": "Booking cancelled: Titchfield, Tuesday 1 December 2026 at 09:00",
    "status": "sent",
    "attempts": 1,
    "last_error": None,
    "created_at": "2026-11-25T10:00:01Z",
    "next_attempt_at": None,
    "sent_at": "2026-11-25T10:00:02Z",
}


class NotificationRead(BaseModel):
    """One e-mail to one person about one event, and what became of it."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_LOG_EXAMPLE]})

    id: int
    event_id: str
    event_type: str
    notice: str
    researcher_id: str
    about: str | None
    email: str | None = Field(description="the address it was sent to")
    subject: str | None
    status: str = Field(description="pending, sent, failed, opted_out, stale or withdrawn")
    attempts: int
    last_error: str | None = Field(description="why the last attempt failed, or why it is not sent")
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None


class NotificationPage(Page[NotificationRead]):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_LOG_EXAMPLE], "next": "WzQxXQ"}]}
    )
