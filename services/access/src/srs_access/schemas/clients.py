"""Request and response models: partner API clients."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from srs_access.schemas.common import Id
from srs_common.inputs import Input

PartnerScope = Literal[
    "researchers:read",
    "applications:read",
    "applications:write",
    "projects:read",
    "outputs:read",
    "webhooks:manage",
]


class ApiClientCreate(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["researchers:read", "applications:read", "applications:write"],
                }
            ]
        },
    )

    organisation_id: str = Id
    name: str = Field(min_length=1, max_length=200)
    scopes: list[PartnerScope] = Field(min_length=1, max_length=6)


class ApiClientRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "cli_3f2a0c1e9b7d4e5f8a6b1c2d3e4f5a6b",
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["applications:read", "researchers:read"],
                    "created_by": "support-1",
                    "created_at": "2026-11-25T10:00:00Z",
                    "revoked_at": None,
                }
            ]
        },
    )

    id: str
    organisation_id: str
    name: str
    scopes: list[str]
    created_by: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiClientWithSecret(ApiClientRead):
    """A client and its new secret: the only time the secret is ever shown."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "cli_3f2a0c1e9b7d4e5f8a6b1c2d3e4f5a6b",
                    "organisation_id": "org-ntu",
                    "name": "NTU research office integration",
                    "scopes": ["researchers:read"],
                    "created_by": "support-1",
                    "created_at": "2026-11-25T10:00:00Z",
                    "revoked_at": None,
                    "client_secret": "srs_cs_q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c",
                }
            ]
        }
    )

    client_secret: str


class SecretRotation(Input):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"old_secret_expires_at": "2026-11-26T10:00:00Z"}]},
    )

    old_secret_expires_at: dt.datetime = Field(
        description="until when the secrets issued before keep working (the overlap); "
        "now for an immediate switch"
    )

    @field_validator("old_secret_expires_at")
    @classmethod
    def _aware(cls, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            raise ValueError("give a time zone, e.g. 2026-11-26T10:00:00Z")
        return value
