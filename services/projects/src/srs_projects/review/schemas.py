"""Request models of the panel's decisions."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from srs_common.inputs import Input


class ProjectDecision(Input):
    """The panel's approval, with its reasons and any conditions."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "Clear public benefit; datasets proportionate.", "conditions": None}
            ]
        },
    )

    reason: str = Field(min_length=3, max_length=5000)
    conditions: str | None = Field(default=None, max_length=5000)
    priority: bool | None = Field(
        default=None,
        description="the panel grants (true) or "
        "withholds (false) priority; omitted keeps what the panel "
        "decided before (none: no priority)",
    )


class PriorityDecision(Input):
    """The panel's decision on priority, between submission and approval."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"priority": True, "reason": "Directly informs the government's COVID-19 response."}
            ]
        },
    )

    priority: bool
    reason: str = Field(min_length=3, max_length=5000)
