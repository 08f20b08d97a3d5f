"""Ops service settings (env prefix ``SRS_OPS_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class OpsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_OPS_", extra="ignore")

    service_name: str = "ops"
    database_url: str = "sqlite+aiosqlite:///var/ops.db"
    port: int = 8006
