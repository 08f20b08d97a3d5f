"""The access decision row: POST /v1/access-decisions for an active project."""

from __future__ import annotations

import json

import httpx
from harness import Row, measure

from journeys.common import ALICE, active_project, wait_until


def access_decision(ctx) -> Row:
    """POST /v1/access-decisions (support token, every decision audited and published) vs
    the bare hello world."""
    from rows import _headers

    with httpx.Client(timeout=30) as client:
        project_id = active_project(ctx, client, [])
        body = {
            "researcher_id": ALICE,
            "project_id": project_id,
            "setting": "safe_room",
            "country": "GB",
            "site_id": "titchfield",
        }
        url = f"{ctx.stack.url('access')}/v1/access-decisions"
        headers = {
            **_headers(ctx, "support", sub="bench-gateway"),
            "Content-Type": "application/json",
        }

        def provisioned():
            """access knows the project is active"""
            r = client.post(url, headers=headers, json=body)
            assert r.status_code == 201, r.text
            codes = {x["code"] for x in r.json()["reasons"]}
            return "project_not_active" not in codes and "not_active_member" not in codes

        wait_until(provisioned)
        sample = client.post(url, headers=headers, json=body).json()
    ctx.journeys["access_decision"] = {"url": url, "body": body}
    # Decisions are group-committed: compared with one insert and commit per request.
    insert = ctx.fresh("insert")
    load = measure(
        url,
        ctx.profile,
        stack=ctx.stack,
        method="POST",
        body=json.dumps(body),
        headers=headers,
    )
    ratio, p99_ratio = load.rps / insert.rps, load.p99_ms / insert.p99_ms
    return Row(
        "access decision",
        "POST /v1/access-decisions, audited + published",
        "ORM insert+commit",
        value=f"{load.rps:,.0f} req/s (p99 {load.p99_ms:.0f} ms)",
        base_value=f"{insert.rps:,.0f} req/s (p99 {insert.p99_ms:.0f} ms)",
        ratio=f"{100 * ratio:.0f} %; p99 {p99_ratio:.1f}x",
        target=">= 100 %; p99 <= 3x",
        met=ratio >= 1 and p99_ratio <= 3,
        note=f"decision {sample['decision']} {[r['code'] for r in sample['reasons']]}; "
        f"CPU per decision, the consumers of its event included: {load.cpu}",
    )
