"""What to tell whom: the notice catalogue, recipients, template contexts, retry and
reminder timing. Pure functions, no I/O.

Privacy by construction: a template never sees an event payload, only the context built
here for one recipient, which holds nothing about other people (no other member's id,
name or address, no "cancelled by") and nothing of research data or output contents
(an output rejection's reason stays in the service: the e-mail says where to read it).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from srs_common.contracts import access, accreditation, booking, clearance, projects
from srs_common.contracts.base import Contract

LONDON = ZoneInfo("Europe/London")

# Statuses of a notification in the delivery log.
PENDING = "pending"  # waiting for the sender (first attempt or a retry)
SENT = "sent"  # accepted by the SMTP server
FAILED = "failed"  # will not be sent: refused for good, or no address ever known
OPTED_OUT = "opted_out"  # an optional notice the person turned off
STALE = "stale"  # the event was too old when consumed (history replayed)
WITHDRAWN = "withdrawn"  # no longer true before it went out (a cancelled booking's reminder)
STATUSES = (PENDING, SENT, FAILED, OPTED_OUT, STALE, WITHDRAWN)

BOOKING_REMINDER = "booking_reminder"


@dataclass(frozen=True)
class NoticeKind:
    """One kind of e-mail. ``optional`` notices (reminders) can be turned off; decisions
    and answers cannot."""

    key: str
    event_type: str | None  # None: made by a job, not by one event
    description: str
    optional: bool = False


NOTICES: dict[str, NoticeKind] = {n.key: n for n in (
    NoticeKind("accreditation_granted", accreditation.AccreditationGranted.type,
               "Your accreditation was granted"),
    NoticeKind("accreditation_rejected", accreditation.ApplicationRejected.type,
               "Your accreditation application was rejected"),
    NoticeKind("accreditation_expiring", accreditation.AccreditationExpiring.type,
               "Reminder: your accreditation expires in 90 and in 30 days", optional=True),
    NoticeKind("accreditation_expired", accreditation.AccreditationExpired.type,
               "Your accreditation has expired"),
    NoticeKind("accreditation_suspended", accreditation.AccreditationSuspended.type,
               "Your accreditation was suspended"),
    NoticeKind("project_approved", projects.ProjectApproved.type,
               "A project you are a member of was approved"),
    NoticeKind("project_rejected", projects.ProjectRejected.type,
               "A project you lead was rejected"),
    NoticeKind("project_information_requested", projects.ProjectInformationRequested.type,
               "The panel asks for more information on a project you lead"),
    NoticeKind("project_completion_due", projects.ProjectCompletionDue.type,
               "Reminder: a project you lead reaches its expected completion date",
               optional=True),
    NoticeKind("project_completed", projects.ProjectCompleted.type,
               "A project you are a member of is complete"),
    NoticeKind("booking_confirmed", booking.BookingConfirmed.type,
               "Your booking is confirmed"),
    NoticeKind("booking_cancelled", booking.BookingCancelled.type,
               "Your booking was cancelled, with the reason"),
    NoticeKind(BOOKING_REMINDER, None, "Reminder the day before a booking", optional=True),
    NoticeKind("output_checked", clearance.OutputChecked.type,
               "Automatic checks ran on your output request"),
    NoticeKind("output_clarification_requested", clearance.OutputClarificationRequested.type,
               "A checker asks you about your output request"),
    NoticeKind("output_approved", clearance.OutputApproved.type,
               "Your output request was approved"),
    NoticeKind("output_rejected", clearance.OutputRejected.type,
               "Your output request was rejected"),
    NoticeKind("output_destruction_required", clearance.OutputDestructionRequired.type,
               "A cleared pre-publication output must be destroyed"),
    NoticeKind("output_overdue", clearance.OutputOverdue.type,
               "Your output request passed its service level"),
    NoticeKind("home_working_approved", access.HomeWorkingApproved.type,
               "Home working was approved for you"),
    NoticeKind("home_working_refused", access.HomeWorkingRefused.type,
               "Your home-working request was refused"),
)}
OPTIONAL_NOTICES = tuple(k for k, n in NOTICES.items() if n.optional)
NOTICE_BY_EVENT_TYPE = {n.event_type: n for n in NOTICES.values() if n.event_type}


@dataclass(frozen=True)
class PlannedNotice:
    """An e-mail to send: which notice, to whom, about what, with what it may say."""

    notice: str
    researcher_id: str
    about: str | None
    context: dict[str, Any] = field(default_factory=dict)


def _iso(value: dt.date | dt.datetime) -> str:
    return value.isoformat()


def _project(project_id: str, title: str | None) -> dict[str, Any]:
    return {"project_id": project_id, "project_title": title}


def _booking(p: booking._Booking, title: str | None) -> dict[str, Any]:
    return {"booking_id": p.booking_id, "site_id": p.site_id, "place": p.place,
            "starts_at": _iso(p.starts_at), "ends_at": _iso(p.ends_at),
            **_project(p.project_id, title)}


def _output(p: clearance._Output, title: str | None) -> dict[str, Any]:
    return {"output_id": p.output_id, "kind": p.kind, **_project(p.project_id, title)}


def _accreditation(p: accreditation._AccreditationState) -> dict[str, Any]:
    return {"accreditation_id": p.accreditation_id, "kind": p.kind,
            "valid_until": _iso(p.valid_until)}


def _one(notice: str, researcher_id: str, about: str | None, **context: Any
         ) -> list[PlannedNotice]:
    return [PlannedNotice(notice, researcher_id, about, context)]


def _each(notice: str, researcher_ids: list[str], about: str | None, **context: Any
          ) -> list[PlannedNotice]:
    return [PlannedNotice(notice, r, about, context) for r in dict.fromkeys(researcher_ids)]


def _plan_accreditation_granted(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _one("accreditation_granted", p.researcher_id, p.accreditation_id,
                **_accreditation(p), valid_from=_iso(p.valid_from), conditions=p.conditions)


def _plan_application_rejected(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _one("accreditation_rejected", p.researcher_id, p.application_id,
                application_id=p.application_id, kind=p.kind, reason=p.reason)


def _plan_accreditation_expiring(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _one("accreditation_expiring", p.researcher_id, p.accreditation_id,
                **_accreditation(p), days_before=p.days_before)


def _plan_accreditation_expired(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _one("accreditation_expired", p.researcher_id, p.accreditation_id,
                **_accreditation(p))


def _plan_accreditation_suspended(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _one("accreditation_suspended", p.researcher_id, p.accreditation_id,
                **_accreditation(p), reason=p.reason)


def _plan_project_approved(p: Any, _title: str | None) -> list[PlannedNotice]:
    # Each member learns their own role only, never who else is on the project.
    return [PlannedNotice("project_approved", m.researcher_id, p.project_id,
                          {**_project(p.project_id, p.title), "role": m.role,
                           "expected_end_date": _iso(p.expected_end_date),
                           "conditions": p.conditions})
            for m in {m.researcher_id: m for m in p.members}.values()]


def _plan_project_rejected(p: Any, title: str | None) -> list[PlannedNotice]:
    return _one("project_rejected", p.lead_researcher_id, p.project_id,
                **_project(p.project_id, title), reason=p.reason)


def _plan_project_information_requested(p: Any, title: str | None) -> list[PlannedNotice]:
    return _one("project_information_requested", p.lead_researcher_id, p.project_id,
                **_project(p.project_id, title))


def _plan_project_completion_due(p: Any, title: str | None) -> list[PlannedNotice]:
    return _one("project_completion_due", p.lead_researcher_id, p.project_id,
                **_project(p.project_id, title), expected_end_date=_iso(p.expected_end_date),
                days_before=p.days_before)


def _plan_project_completed(p: Any, title: str | None) -> list[PlannedNotice]:
    return _each("project_completed", [p.lead_researcher_id, *p.member_ids], p.project_id,
                 **_project(p.project_id, title))


def _plan_booking_confirmed(p: Any, title: str | None) -> list[PlannedNotice]:
    return _one("booking_confirmed", p.researcher_id, p.booking_id, **_booking(p, title))


def _plan_booking_cancelled(p: Any, title: str | None) -> list[PlannedNotice]:
    # The reason is the person's to know; who cancelled (a staff id) is not.
    return _one("booking_cancelled", p.researcher_id, p.booking_id, **_booking(p, title),
                reason=p.reason)


def _output_plan(notice: str, **extra: Callable[[Any], Any]
                 ) -> Callable[[Any, str | None], list[PlannedNotice]]:
    def plan(p: Any, title: str | None) -> list[PlannedNotice]:
        values = {name: get(p) for name, get in extra.items()}
        return _one(notice, p.requester_id, p.output_id, **_output(p, title), **values)
    return plan


def _plan_home_working_approved(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _each("home_working_approved", p.researcher_ids, p.request_id,
                 request_id=p.request_id, project_count=len(p.project_ids))


def _plan_home_working_refused(p: Any, _title: str | None) -> list[PlannedNotice]:
    return _each("home_working_refused", p.researcher_ids, p.request_id,
                 request_id=p.request_id, reason=p.reason)


_PLANS: dict[str, Callable[[Any, str | None], list[PlannedNotice]]] = {
    accreditation.AccreditationGranted.type: _plan_accreditation_granted,
    accreditation.ApplicationRejected.type: _plan_application_rejected,
    accreditation.AccreditationExpiring.type: _plan_accreditation_expiring,
    accreditation.AccreditationExpired.type: _plan_accreditation_expired,
    accreditation.AccreditationSuspended.type: _plan_accreditation_suspended,
    projects.ProjectApproved.type: _plan_project_approved,
    projects.ProjectRejected.type: _plan_project_rejected,
    projects.ProjectInformationRequested.type: _plan_project_information_requested,
    projects.ProjectCompletionDue.type: _plan_project_completion_due,
    projects.ProjectCompleted.type: _plan_project_completed,
    booking.BookingConfirmed.type: _plan_booking_confirmed,
    booking.BookingCancelled.type: _plan_booking_cancelled,
    clearance.OutputChecked.type: _output_plan(
        "output_checked", automatic_status=lambda p: p.automatic_status),
    clearance.OutputClarificationRequested.type: _output_plan("output_clarification_requested"),
    clearance.OutputApproved.type: _output_plan("output_approved"),
    # The rejection reason is about the output's contents: read in the service, not e-mailed.
    clearance.OutputRejected.type: _output_plan("output_rejected"),
    clearance.OutputDestructionRequired.type: _output_plan(
        "output_destruction_required", deadline=lambda p: _iso(p.deadline)),
    clearance.OutputOverdue.type: _output_plan("output_overdue", due_at=lambda p: _iso(p.due_at)),
    access.HomeWorkingApproved.type: _plan_home_working_approved,
    access.HomeWorkingRefused.type: _plan_home_working_refused,
}


def plan_notices(payload: Contract, project_title: str | None = None) -> list[PlannedNotice]:
    """The e-mails one event calls for, one per recipient (none for a type we don't mail)."""
    plan = _PLANS.get(payload.type)
    return plan(payload, project_title) if plan else []


def booking_reminder(b: Any, project_title: str | None) -> PlannedNotice:
    """The day-before reminder for a booking from the read model."""
    return PlannedNotice(BOOKING_REMINDER, b.researcher_id, b.id, {
        "booking_id": b.id, "site_id": b.site_id, "place": b.place,
        "starts_at": _iso(b.starts_at), "ends_at": _iso(b.ends_at),
        **_project(b.project_id, project_title)})


def is_stale(event_time: dt.datetime | None, now: dt.datetime, *, max_age: dt.timedelta) -> bool:
    """An event older than ``max_age`` when consumed is history, not news."""
    return event_time is not None and now - event_time > max_age


def sends_to(notice: str, opted_out: set[str]) -> bool:
    """Whether a notice goes out given the notices the person turned off: only optional
    notices can be turned off; decisions and answers always go."""
    return not (NOTICES[notice].optional and notice in opted_out)


def retry_delay(attempts: int, *, base: float, cap: float,
                rand: Callable[[], float] = random.random) -> dt.timedelta:
    """Exponential backoff with jitter: about base, 2*base, 4*base... never above cap."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=delay * (0.5 + rand() / 2))


def reminder_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Bookings that start tomorrow (Europe/London calendar day) are reminded today."""
    tomorrow = now.astimezone(LONDON).date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0), tzinfo=LONDON)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def lead_of(payload: projects.ProjectApproved) -> str | None:
    return next((m.researcher_id for m in payload.members if m.role == "lead"), None)
