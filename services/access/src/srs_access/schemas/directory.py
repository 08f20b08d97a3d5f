"""Directories: each organisation's id and name (public); staff logins' names (staff)."""

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


class StaffName(BaseModel):
    """A staff login and the person's name, nothing else of their account."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "checker", "name": "Tom Okafor"}]},
    )

    username: str
    name: str
