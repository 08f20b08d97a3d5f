"""Request and response models of the booking API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from srs_common.inputs import Input


def _utc_within_reason(moment: dt.datetime) -> dt.datetime:
    if not 2000 <= moment.year <= 2999:
        raise ValueError("must be a time between the years 2000 and 2999")
    return moment.astimezone(dt.UTC)


UtcMoment = Annotated[AwareDatetime, AfterValidator(_utc_within_reason)]
"""A timezone-aware time, normalised to UTC (any offset accepted on input)."""

_BOOKING_EXAMPLE: dict[str, Any] = {
    "id": "bkg_4b1f0c2e9a7d4f6e8c1b2a3d4e5f6a7b",
    "researcher_id": "res-alice",
    "project_id": "prj_01J9Z8Q4V6",
    "site_id": "titchfield",
    "place": "T3",
    "starts_at": "2026-12-01T09:00:00Z",
    "ends_at": "2026-12-01T16:00:00Z",
    "status": "confirmed",
    "created_at": "2026-11-25T10:00:00Z",
    "cancelled_at": None,
    "cancelled_by": None,
    "cancel_reason": None,
}


class SiteRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "titchfield",
                    "name": "Titchfield safe room",
                    "kind": "safe_room",
                    "location": "Titchfield, Hampshire",
                    "timezone": "Europe/London",
                    "opens_at": "09:00:00",
                    "closes_at": "16:00:00",
                    "open_weekdays": [0, 1, 2, 3, 4],
                    "places": ["T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8"],
                }
            ]
        },
    )

    id: str
    name: str
    kind: Literal["safe_room", "safepod"]
    location: str
    timezone: str
    opens_at: dt.time
    closes_at: dt.time
    open_weekdays: list[int] = Field(description="0 = Monday ... 6 = Sunday")
    places: list[str] = Field(description="bookable terminals (T1..Tn) or the pod (POD)")


class ClosureCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "starts_at": "2026-12-03T09:00:00Z",
                    "ends_at": "2026-12-03T16:00:00Z",
                    "reason": "building works",
                }
            ]
        },
    )

    starts_at: UtcMoment
    ends_at: UtcMoment
    reason: str = Field(min_length=3, max_length=500)


class HoursChange(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "first_day": "2026-12-21",
                    "last_day": "2026-12-24",
                    "opens_at": "10:00:00",
                    "closes_at": "14:00:00",
                    "reason": "reduced staffing over Christmas",
                }
            ]
        },
    )

    first_day: dt.date = Field(description="first local day with the changed hours")
    last_day: dt.date = Field(description="last local day with the changed hours, inclusive")
    opens_at: dt.time = Field(description="local opening time, whole hour, not before usual")
    closes_at: dt.time = Field(description="local closing time, whole hour, not after usual")
    reason: str = Field(min_length=3, max_length=500)


class ClosureRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "clo_9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                    "site_id": "newport",
                    "starts_at": "2026-12-03T09:00:00Z",
                    "ends_at": "2026-12-03T16:00:00Z",
                    "reason": "building works",
                    "announced_at": "2026-11-25T10:00:00Z",
                    "cancelled_bookings": 2,
                }
            ]
        },
    )

    id: str
    site_id: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    reason: str
    announced_at: dt.datetime
    cancelled_bookings: int | None = Field(
        None, description="bookings cancelled by this announcement (in the announce response)"
    )


class DeclarationText(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"version": "2026.1", "text": "I will use the safe setting only for ..."}]
        }
    )

    version: str
    text: str


class DeclarationSign(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": "2026.1"}]})

    version: str = Field(
        min_length=1,
        max_length=40,
        description="the version of the text the researcher read and signs",
    )


class DeclarationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "researcher_id": "res-alice",
                    "version": "2026.1",
                    "signed_at": "2026-11-25T10:00:00Z",
                }
            ]
        },
    )

    researcher_id: str
    version: str
    signed_at: dt.datetime


class BookingCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": "prj_01J9Z8Q4V6",
                    "site_id": "titchfield",
                    "place": "T3",
                    "starts_at": "2026-12-01T09:00:00Z",
                    "ends_at": "2026-12-01T16:00:00Z",
                }
            ]
        },
    )

    project_id: str = Field(min_length=1, max_length=100)
    site_id: str = Field(min_length=1, max_length=100)
    place: str = Field(min_length=1, max_length=20, description="terminal (T1..Tn) or POD")
    starts_at: UtcMoment = Field(description="on a whole hour, inside opening hours")
    ends_at: UtcMoment = Field(description="on a whole hour, the same local day")


class BookingCancel(Input):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "travel plans changed"}]})

    reason: str | None = Field(None, min_length=3, max_length=500)


class BookingRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_BOOKING_EXAMPLE]}
    )

    id: str
    researcher_id: str
    project_id: str
    site_id: str
    place: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: Literal["confirmed", "cancelled", "attended", "no_show"]
    created_at: dt.datetime
    cancelled_at: dt.datetime | None
    cancelled_by: str | None
    cancel_reason: str | None


class BookingPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"items": [_BOOKING_EXAMPLE], "next": None}]}
    )

    items: list[BookingRead]
    next: str | None = Field(None, description="cursor for the next page; absent on the last")


class BookingFilters(BaseModel):
    researcher_id: str | None = None
    site_id: str | None = None
    project_id: str | None = None
    status: str | None = None
    starts_from: dt.datetime | None = None


class SlotRead(BaseModel):
    starts_at: dt.datetime
    ends_at: dt.datetime
    free: int
    free_places: list[str]


class SiteAvailability(BaseModel):
    site_id: str
    name: str
    slots: list[SlotRead]


class AvailabilityRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "from": "2026-12-01",
                    "to": "2026-12-01",
                    "bookable_until": "2027-01-19T10:00:00Z",
                    "sites": [
                        {
                            "site_id": "safepod-ntu",
                            "name": "SafePod, Nottingham Trent University",
                            "slots": [
                                {
                                    "starts_at": "2026-12-01T08:00:00Z",
                                    "ends_at": "2026-12-01T09:00:00Z",
                                    "free": 1,
                                    "free_places": ["POD"],
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    from_: dt.date = Field(alias="from", serialization_alias="from")
    to: dt.date
    bookable_until: dt.datetime = Field(
        description="the latest start a booking may have now (the booking horizon): later "
        "slots are listed but not yet bookable"
    )
    sites: list[SiteAvailability]
