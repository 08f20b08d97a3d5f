"""Clearance service settings (env prefix ``SRS_CLEARANCE_``)."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from srs_clearance.domain import ReviewRule
from srs_common.config import ServiceSettings


class ClearanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_CLEARANCE_", extra="ignore")

    service_name: str = "clearance"
    database_url: str = "sqlite+aiosqlite:///var/clearance.db"
    port: int = 8003

    # Uploaded files, stored by content hash (an object store in production).
    outputs_dir: Path = Path("var/outputs")
    max_file_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    # Service level: working days from submission to decision (clock stops in clarification).
    service_level_working_days: int = Field(default=5, ge=1)
    # Independent reviews (distinct checkers) each kind needs before its consolidated
    # decision: the rule is domain.reviews_needed, these are its numbers.
    pre_publication_reviews: int = Field(default=2, ge=1)
    publication_reviews: int = Field(default=2, ge=1)
    code_file_reviews: int = Field(default=2, ge=1)
    # Days after project completion to attest destruction of pre-publication outputs.
    destruction_policy_days: int = Field(default=30, ge=1)
    job_interval_seconds: float = Field(default=60.0, gt=0)

    def review_rule(self) -> ReviewRule:
        return ReviewRule(
            pre_publication=self.pre_publication_reviews,
            publication=self.publication_reviews,
            code_file=self.code_file_reviews,
        )
