"""Notify service settings (env prefix ``SRS_NOTIFY_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    database_url: str = "sqlite+aiosqlite:///var/notify.db"
    port: int = 8007
