"""Booking service settings (env prefix ``SRS_BOOKING_``)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class BookingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_BOOKING_", extra="ignore")

    service_name: str = "booking"
    database_url: str = "sqlite+aiosqlite:///var/booking.db"
    port: int = 8005

    # How far ahead a place may be booked (policy: 8 weeks).
    booking_horizon_days: int = Field(default=56, ge=1, le=366)
    # The security declaration researchers must have signed (a key of DECLARATIONS).
    declaration_version: str = "2026.1"
    # Longest date range one availability read may cover.
    availability_max_days: int = Field(default=31, ge=1, le=92)
