"""Accreditation service settings (env prefix ``SRS_ACCREDITATION_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class AccreditationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_ACCREDITATION_", extra="ignore")

    service_name: str = "accreditation"
    database_url: str = "sqlite+aiosqlite:///var/accreditation.db"
    port: int = 8001
