"""Names for the ids in support's search results: each result names its researcher,
project and site, asked of the service that owns each (support may read them all)."""

from __future__ import annotations

from typing import Any

from srs_portal.platform import Platform

# At most this many distinct researchers or projects are looked up for one search: the
# rest keep their ids (a search this wide is refined, not read).
MOST = 50


async def result_names(
    platform: Platform, token: str, found: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, str]]:
    """``{"researchers": {id: name}, "projects": {id: title}, "sites": {id: name}}`` for
    the search results in ``found``."""
    researcher_ids = {b["researcher_id"] for b in found.get("bookings", [])}
    researcher_ids |= {p["lead_researcher_id"] for p in found.get("projects", [])}
    project_ids = {o["project_id"] for o in found.get("outputs", [])}
    project_ids |= {b["project_id"] for b in found.get("bookings", [])}
    names: dict[str, dict[str, str]] = {
        "researchers": {r["id"]: r["name"] for r in found.get("researchers", [])}
        | {
            p["lead_researcher_id"]: p["lead_researcher_name"]
            for p in found.get("projects", [])
            if p.get("lead_researcher_name")
        },
        "projects": {p["id"]: p["title"] for p in found.get("projects", [])},
        "sites": {},
    }
    for researcher_id in sorted(researcher_ids - set(names["researchers"]))[:MOST]:
        profile = await platform.get(
            "accreditation", f"/v1/researchers/{researcher_id}", token=token
        )
        if profile:
            names["researchers"][researcher_id] = profile["name"]
    for project_id in sorted(project_ids - set(names["projects"]))[:MOST]:
        project = await platform.get("projects", f"/v1/projects/{project_id}", token=token)
        if project:
            names["projects"][project_id] = project["title"]
    if found.get("bookings"):
        sites = await platform.get("booking", "/v1/sites", token=token) or []
        names["sites"] = {s["id"]: s["name"] for s in sites}
    return names
