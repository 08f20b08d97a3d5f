"""Clearance service settings (env prefix ``SRS_CLEARANCE_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class ClearanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_CLEARANCE_", extra="ignore")

    service_name: str = "clearance"
    database_url: str = "sqlite+aiosqlite:///var/clearance.db"
    port: int = 8003
