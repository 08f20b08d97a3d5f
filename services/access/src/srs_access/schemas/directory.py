"""The public directory of organisations: each one's id and name."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class OrganisationName(BaseModel):
    """An organisation as anyone may know it (the sign-up page lists the same): its id
    and name, nothing of its agreement or contact."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"id": "org-ntu", "name": "Nottingham Trent University"}]},
    )

    id: str
    name: str
