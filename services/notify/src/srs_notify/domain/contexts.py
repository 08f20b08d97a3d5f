"""The pieces of a notice's context and plan: each holds only what its recipient may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from srs_common.contracts import accreditation, booking, clearance
from srs_notify.domain.recipients import Known, PlannedNotice

# What one event calls for: its payload and the read models' facts in, the notices out.
Plan = Callable[[Any, Known], list[PlannedNotice]]


def iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


def project_context(project_id: str, title: str | None) -> dict[str, Any]:
    return {"project_id": project_id, "project_title": title}


def booking_context(p: booking._Booking, title: str | None) -> dict[str, Any]:
    return {
        "booking_id": p.booking_id,
        "site_id": p.site_id,
        "place": p.place,
        "starts_at": iso(p.starts_at),
        "ends_at": iso(p.ends_at),
        **project_context(p.project_id, title),
    }


def output_context(p: clearance._Output, title: str | None) -> dict[str, Any]:
    return {"output_id": p.output_id, "kind": p.kind, **project_context(p.project_id, title)}


def accreditation_context(p: accreditation._AccreditationState) -> dict[str, Any]:
    return {
        "accreditation_id": p.accreditation_id,
        "kind": p.kind,
        "valid_until": iso(p.valid_until),
    }


def one(notice: str, researcher_id: str, about: str | None, **context: Any) -> list[PlannedNotice]:
    return [PlannedNotice(notice, researcher_id, about, context)]


def each(
    notice: str, researcher_ids: list[str], about: str | None, **context: Any
) -> list[PlannedNotice]:
    return [PlannedNotice(notice, r, about, context) for r in dict.fromkeys(researcher_ids)]


def lead_first(k: Known, lead: str | None = None) -> dict[str, str]:
    """Everyone on the project (researcher -> role), the lead included even if the
    member list has not been seen."""
    lead = lead or k.lead_researcher_id
    people = {lead: "lead"} if lead else {}
    return {**people, **{r: role for r, role in k.members.items() if r != lead}}
