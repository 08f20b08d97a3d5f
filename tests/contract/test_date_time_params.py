"""A query parameter documented as a date-time is one: a bare number (which pydantic would
read as seconds since the epoch) is refused as invalid input, naming the parameter."""

from __future__ import annotations

import pytest

CASES = [
    ("ops", "/v1/events", "until", ("ops",)),
    ("ops", "/v1/events", "since", ("ops",)),
    ("access", "/v1/audit/access", "since", ("support",)),
    ("access", "/v1/audit/access", "until", ("support",)),
]


@pytest.mark.parametrize(("service", "path", "param", "roles"), CASES)
async def test_a_bare_number_is_no_date_time(service, path, param, roles, service_client, tokens):
    async with service_client(service) as client:
        headers = tokens.headers(*roles)
        refused = await client.get(path, params={param: "344"}, headers=headers)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in refused.json()["errors"]] == [f"query.{param}"]
        accepted = await client.get(path, params={param: "2026-01-31T09:00:00Z"}, headers=headers)
        assert accepted.status_code == 200, accepted.text
