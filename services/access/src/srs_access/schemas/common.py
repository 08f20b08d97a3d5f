"""Field types shared by the access API's models, and the token response."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

AccessLevelName = Literal["safe_setting", "aoc_office", "home"]
Setting = Literal["safe_room", "safepod", "office", "home"]
Id = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
# Project ids are 40-character columns wherever access stores them.
ProjectId = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.:-]+$")


class TokenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6Ii4uLiJ9...",
                    "token_type": "Bearer",
                    "expires_in": 900,
                }
            ]
        }
    )

    access_token: str
    token_type: str = "Bearer"
    expires_in: int
    scope: str | None = Field(
        None, description="granted scopes, space-separated (client-credentials grant)"
    )
