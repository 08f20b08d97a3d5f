"""Events published by the access service on ``srs.access``."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from srs_common.contracts.base import Contract

TOPIC = "srs.access"


class ProjectSpaceProvisioned(Contract):
    """A project's space exists with its datasets mapped; published once per project."""

    type: ClassVar[str] = "srs.project_space.provisioned.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    space_id: str
    dataset_ids: list[str]
    accounts_enabled: list[str]
    provisioned_at: dt.datetime

    example: ClassVar[dict] = {
        "project_id": "prj_01J9Z8Q4V6",
        "space_id": "spc_01J9Z8R2K1",
        "dataset_ids": ["ds-csew-2019"],
        "accounts_enabled": ["res-alice"],
        "provisioned_at": "2026-11-25T10:00:01Z",
    }
