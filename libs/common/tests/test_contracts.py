"""Every contract is registered once, named by the convention, and its example is valid."""

from __future__ import annotations

import re

import pydantic
import pytest

from srs_common.contracts import SERVICE_TOPICS, platform_contracts

TYPE_PATTERN = re.compile(r"^srs\.[a-z_]+\.[a-z_]+\.v\d+$")


@pytest.mark.parametrize("event_type", sorted(platform_contracts()))
def test_contract_example_validates_and_follows_conventions(event_type):
    contract = platform_contracts()[event_type]
    assert TYPE_PATTERN.match(event_type), event_type
    assert contract.topic in SERVICE_TOPICS.values()
    assert contract.__doc__, f"{event_type} needs a docstring"
    payload = contract.model_validate(contract.example)
    # A round trip through JSON gives the same payload (what the relay and consumer do).
    assert contract.model_validate_json(payload.model_dump_json()) == payload


def test_contracts_are_frozen():
    contract = platform_contracts()["srs.project.approved.v1"]
    payload = contract.model_validate(contract.example)
    with pytest.raises(pydantic.ValidationError):
        payload.project_id = "other"  # type: ignore[misc]
