"""Projects service settings (env prefix ``SRS_PROJECTS_``)."""

from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class ProjectsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    database_url: str = "sqlite+aiosqlite:///var/projects.db"
    port: int = 8002

    # How often the completion reminder job looks for projects nearing their end date.
    reminder_interval_seconds: float = 3600.0
