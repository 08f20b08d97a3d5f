"""Projects service settings (env prefix ``SRS_PROJECTS_``)."""

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class ProjectsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_PROJECTS_", extra="ignore")

    service_name: str = "projects"
    database_url: str = "sqlite+aiosqlite:///var/projects.db"
    port: int = 8002

    # How often the completion reminder job looks for projects nearing their end date.
    reminder_interval_seconds: float = 3600.0

    # Days an overdue project (past its expected completion date, not completed) keeps its
    # accounts before it is suspended; reminders go to the lead every
    # ``overdue_reminder_days`` meanwhile.
    overdue_grace_days: int = Field(30, ge=0)
    overdue_reminder_days: int = Field(7, ge=1)
    # Who decides requests to add a member who will see data to an approved project.
    member_approver: Literal["support", "panel"] = "support"
