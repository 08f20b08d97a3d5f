"""Request and response models of the access API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class TokenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...", "token_type": "Bearer",
        "expires_in": 900}]})

    access_token: str
    token_type: str = "Bearer"
    expires_in: int


class ProjectSpaceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    project_id: str
    status: str
    dataset_ids: list[str]
    created_at: dt.datetime


class DatasetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    title: str
    owner: str
    access_level: int
    disclosure_threshold: int
    operational_id_columns: list[str]
