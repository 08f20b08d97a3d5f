"""Accreditation service settings (env prefix ``SRS_ACCREDITATION_``).

Policy lives here: how long each kind of accreditation lasts, whether a provisional
researcher's supervisor must work at the same organisation, when reminders go out.
"""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class AccreditationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_ACCREDITATION_", extra="ignore")

    service_name: str = "accreditation"
    database_url: str = "sqlite+aiosqlite:///var/accreditation.db"
    port: int = 8001

    # The service description: "accredited researcher status will now be valid for three
    # years". Elsewhere practice is five years full, three provisional: set per kind.
    full_validity_years: int = Field(default=3, ge=1, le=10)
    provisional_validity_years: int = Field(default=3, ge=1, le=10)
    srsa_approved_validity_years: int = Field(default=3, ge=1, le=10)
    supervisor_same_organisation: bool = True
    reminder_days: list[int] = Field(default_factory=lambda: [90, 30])
    expiry_job_interval_seconds: float = Field(default=3600.0, gt=0)

    # The helpdesk's service level: a first answer (and an answer after the researcher
    # replies) within this many hours of helpdesk time (Monday to Friday 08:00 to 17:00,
    # working days): 9 is one working day.
    helpdesk_answer_within_hours: float = Field(default=9.0, gt=0, le=90)

    def validity_years(self, kind: str) -> int:
        return {
            "full": self.full_validity_years,
            "provisional": self.provisional_validity_years,
            "srsa_approved": self.srsa_approved_validity_years,
        }[kind]
