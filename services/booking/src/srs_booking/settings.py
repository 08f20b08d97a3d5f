"""Booking service settings (env prefix ``SRS_BOOKING_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class BookingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_BOOKING_", extra="ignore")

    service_name: str = "booking"
    database_url: str = "sqlite+aiosqlite:///var/booking.db"
    port: int = 8005
