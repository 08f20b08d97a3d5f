"""Regression tests for bugs this suite found in services (fixed: ids in paths are
bounded to 64 bits by srs_common.ids.RowId)."""

from __future__ import annotations

HUGE_ID = "5427348671434748015902306961719296"  # digits, but beyond a 64-bit integer


async def test_an_out_of_range_dead_letter_id_is_a_4xx(service_client, tokens):
    async with service_client("ops") as client:
        response = await client.get(f"/v1/dead-letters/{HUGE_ID}", headers=tokens.headers("ops"))
    assert response.status_code in (404, 422)


async def test_an_out_of_range_notification_id_is_a_4xx(service_client, tokens):
    async with service_client("notify") as client:
        response = await client.get(
            f"/v1/notifications/{HUGE_ID}", headers=tokens.headers("support")
        )
    assert response.status_code in (404, 422)
