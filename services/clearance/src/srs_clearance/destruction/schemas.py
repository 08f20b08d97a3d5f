"""The requester's attestation of destruction."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from srs_common.inputs import Input


class DestructionAttestation(Input):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"statement": "All copies deleted from my laptop and the team drive on 2027-07-02."}
            ]
        },
    )

    statement: str = Field(min_length=10, max_length=5000)
