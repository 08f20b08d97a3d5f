"""The panel's decision times: days from submission to decision over the last 90 days,
for accreditation and project applications, from what the list APIs answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
from typing import Any

from srs_portal.platform import Platform
from srs_portal.staff.common import every_item

WINDOW_DAYS = 90
# Bars of the chart: (label, first day, last day) of days to a decision.
BUCKETS = [
    ("Within a week", 0, 7),
    ("8 to 14 days", 8, 14),
    ("15 to 28 days", 15, 28),
    ("29 to 56 days", 29, 56),
    ("Over 56 days", 57, None),
]
DECIDED_PROJECT_STATUSES = ("approved", "rejected", "active", "suspended", "overdue", "completed")
DECISIONS = ("approve", "reject")
# Project details read for the figure (each decided project is one call).
MAX_PROJECTS = 100


def _when(value: Any) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def percentile(days: list[float], fraction: float) -> float:
    """The nearest-rank percentile (the median at 0.5) of a non-empty list."""
    ordered = sorted(days)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(pairs: list[tuple[Any, Any]], now: dt.datetime) -> dict[str, Any]:
    """From (submitted, decided) moments: the count, median and 90th percentile of days to
    a decision taken in the last 90 days, and the chart's bars."""
    since = now - dt.timedelta(days=WINDOW_DAYS)
    days = []
    for submitted, decided in pairs:
        start, end = _when(submitted), _when(decided)
        if start is not None and end is not None and end >= since and end >= start:
            days.append((end - start).total_seconds() / 86400)
    bars: list[dict[str, Any]] = []
    counts: list[int] = []
    for label, first, last in BUCKETS:
        count = sum(1 for d in days if math.floor(d) >= first and (last is None or d < last + 1))
        bars.append({"label": label, "count": count})
        counts.append(count)
    return {
        "count": len(days),
        "median": round(percentile(days, 0.5), 1) if days else None,
        "p90": round(percentile(days, 0.9), 1) if days else None,
        "bars": bars,
        "most": max([*counts, 1]),
    }


def _project_pair(project: dict[str, Any] | None) -> tuple[Any, Any]:
    if not project:
        return None, None
    decided = [d["decided_at"] for d in project.get("decisions", []) if d["action"] in DECISIONS]
    return project.get("submitted_at"), (decided[-1] if decided else None)


async def decision_times(platform: Platform, token: str, now: dt.datetime) -> dict[str, Any]:
    """The figure for accreditation and for project applications."""
    applications = []
    for status in ("approved", "rejected"):
        applications += await every_item(
            platform, "accreditation", "/v1/applications", token, {"status": status}
        )
    since = now - dt.timedelta(days=WINDOW_DAYS)
    projects: list[dict[str, Any]] = []
    for status in DECIDED_PROJECT_STATUSES:
        projects += await every_item(
            platform, "projects", "/v1/projects", token, {"status": status}
        )
    # The most recently created decided projects: those decided in the window among them.
    recent = sorted(projects, key=lambda p: str(p.get("created_at")), reverse=True)
    recent = recent[:MAX_PROJECTS]
    details = await asyncio.gather(
        *(platform.get("projects", f"/v1/projects/{p['id']}", token=token) for p in recent)
    )
    pairs = [_project_pair(d) for d in details]
    return {
        "since": since.date(),
        "accreditation": summarise(
            [(a.get("submitted_at"), a.get("decided_at")) for a in applications], now
        ),
        "projects": summarise(pairs, now),
    }
