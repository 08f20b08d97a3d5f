"""Reference data: the two ONS safe rooms and two university SafePods."""

from __future__ import annotations

import datetime as dt

from srs_booking.models import Site, messaging
from srs_booking.settings import BookingSettings
from srs_common.db import Database

WEEKDAYS = [0, 1, 2, 3, 4]


def reference_sites() -> list[Site]:
    """Fresh instances of the reference sites (the places follow from ``kind``/``places``)."""
    return [
        Site(
            id="titchfield",
            name="Titchfield safe room",
            kind="safe_room",
            location="Titchfield, Hampshire",
            places=8,
            opens_at=dt.time(9),
            closes_at=dt.time(16),
            open_weekdays=WEEKDAYS,
        ),
        Site(
            id="newport",
            name="Newport safe room",
            kind="safe_room",
            location="Newport, Gwent",
            places=6,
            opens_at=dt.time(9),
            closes_at=dt.time(16),
            open_weekdays=WEEKDAYS,
        ),
        Site(
            id="safepod-ntu",
            name="SafePod, Nottingham Trent University",
            kind="safepod",
            location="Nottingham",
            places=1,
            opens_at=dt.time(8),
            closes_at=dt.time(18),
            open_weekdays=WEEKDAYS,
        ),
        Site(
            id="safepod-bristol",
            name="SafePod, University of Bristol",
            kind="safepod",
            location="Bristol",
            places=1,
            opens_at=dt.time(9),
            closes_at=dt.time(17),
            open_weekdays=[0, 1, 2, 3, 4, 5],
        ),
    ]


async def seed(settings: BookingSettings) -> None:
    db = Database(settings.database_url, service="booking", messaging=messaging)
    try:
        async with db.transaction() as session:
            for site in reference_sites():
                if await session.get(Site, site.id) is None:
                    session.add(site)
    finally:
        await db.dispose()
