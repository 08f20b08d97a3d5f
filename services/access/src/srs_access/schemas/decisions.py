"""Request and response models: access decisions (the gate at every session)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from srs_access.schemas.common import Id, ProjectId, Setting
from srs_common.inputs import Input


class AccessDecisionCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "safe_room",
                    "country": "GB",
                    "site_id": "titchfield",
                },
                {
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "home",
                    "country": "GB",
                },
            ]
        },
    )

    researcher_id: str = Id
    project_id: str = ProjectId
    setting: Setting
    country: str = Field(
        pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2 country the session comes from"
    )
    site_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="safe-room site or SafePod; required for those",
    )

    @model_validator(mode="before")
    @classmethod
    def _no_organisation(cls, data: object) -> object:
        if isinstance(data, dict) and "organisation_id" in data:
            raise ValueError(
                "organisation_id is not accepted: the organisation is the one "
                "on the researcher's record"
            )
        return data

    @model_validator(mode="after")
    def _site_for_safe_settings(self) -> AccessDecisionCreate:
        if self.setting in ("safe_room", "safepod") and not self.site_id:
            raise ValueError("site_id is required for a safe room or SafePod")
        return self


class DenyReason(BaseModel):
    code: str
    message: str


class AccessDecisionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "decision_id": "dec_01JA",
                    "decision": "deny",
                    "allowed": False,
                    "reasons": [
                        {
                            "code": "outside_uk",
                            "message": "access from outside the UK is not permitted",
                        }
                    ],
                    "researcher_id": "res-alice",
                    "project_id": "prj_01J9Z8Q4V6",
                    "setting": "home",
                    "organisation_id": "org-ntu",
                    "decided_at": "2026-11-25T10:00:00Z",
                    "audit_entry_id": 42,
                }
            ]
        }
    )

    decision_id: str
    decision: Literal["allow", "deny"]
    allowed: bool
    reasons: list[DenyReason]
    researcher_id: str
    project_id: str
    setting: Setting
    organisation_id: str | None = Field(
        None,
        description="the researcher's organisation, from their record (none known: "
        "office and home are denied)",
    )
    decided_at: dt.datetime
    audit_entry_id: int
