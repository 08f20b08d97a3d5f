"""The booking API: one router per feature, each in its package's ``routes.py``."""

from __future__ import annotations

from fastapi import APIRouter

from srs_booking.bookings.routes import router as bookings
from srs_booking.declarations.routes import router as declarations
from srs_booking.sites.routes import router as sites
from srs_common.context import now

router = APIRouter(prefix="/v1", tags=["booking"])

# The clock every rule reads (srs_common.context); tests override it by this name.
current_time = now

for sub in (sites, declarations, bookings):
    router.include_router(sub)
