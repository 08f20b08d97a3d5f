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
    # Sent to a staff or data-owner mailbox, not to researchers: not among a researcher's
    # preferences.
    to_staff: bool = False


NOTICES: dict[str, NoticeKind] = {
    n.key: n
    for n in (
        NoticeKind(
            "accreditation_granted",
            accreditation.AccreditationGranted.type,
            "Your accreditation was granted",
        ),
        NoticeKind(
            "accreditation_rejected",
            accreditation.ApplicationRejected.type,
            "Your accreditation application was rejected",
        ),
        NoticeKind(
            "accreditation_expiring",
            accreditation.AccreditationExpiring.type,
            "Reminder: your accreditation expires in 90 and in 30 days",
            optional=True,
        ),
        NoticeKind(
            "accreditation_expired",
            accreditation.AccreditationExpired.type,
            "Your accreditation has expired",
        ),
        NoticeKind(
            "accreditation_suspended",
            accreditation.AccreditationSuspended.type,
            "Your accreditation was suspended",
        ),
        NoticeKind(
            "accreditation_revoked",
            accreditation.AccreditationRevoked.type,
            "Your accreditation was revoked, with the reason",
        ),
        NoticeKind(
            "accreditation_reinstated",
            accreditation.AccreditationReinstated.type,
            "Your suspended accreditation is current again",
        ),
        NoticeKind(
            "project_approved",
            projects.ProjectApproved.type,
            "A project you are a member of was approved",
        ),
        NoticeKind(
            "project_rejected", projects.ProjectRejected.type, "A project you lead was rejected"
        ),
        NoticeKind(
            "project_information_requested",
            projects.ProjectInformationRequested.type,
            "The panel asks for more information on a project you lead",
        ),
        NoticeKind(
            "project_completion_due",
            projects.ProjectCompletionDue.type,
            "Reminder: a project you lead reaches its expected completion date",
            optional=True,
        ),
        NoticeKind(
            "project_completed",
            projects.ProjectCompleted.type,
            "A project you are a member of is complete",
        ),
        NoticeKind(
            "project_suspended",
            projects.ProjectSuspended.type,
            "A project you are a member of was suspended, with the reason",
        ),
        NoticeKind(
            "project_overdue",
            projects.ProjectOverdue.type,
            "A project you work on is past its expected completion date",
        ),
        NoticeKind(
            "project_resumed",
            projects.ProjectResumed.type,
            "A suspended project you are a member of is active again",
        ),
        NoticeKind(
            "account_enabled",
            access.AccountEnabled.type,
            "Your account on a project is enabled, and how to reach the service",
        ),
        NoticeKind("booking_confirmed", booking.BookingConfirmed.type, "Your booking is confirmed"),
        NoticeKind(
            "booking_cancelled",
            booking.BookingCancelled.type,
            "Your booking was cancelled, with the reason",
        ),
        NoticeKind(BOOKING_REMINDER, None, "Reminder the day before a booking", optional=True),
        NoticeKind(
            "output_checked",
            clearance.OutputChecked.type,
            "Automatic checks ran on your output request",
        ),
        NoticeKind(
            "output_clarification_requested",
            clearance.OutputClarificationRequested.type,
            "A checker asks you about your output request",
        ),
        NoticeKind(
            "output_approved", clearance.OutputApproved.type, "Your output request was approved"
        ),
        NoticeKind(
            "output_rejected", clearance.OutputRejected.type, "Your output request was rejected"
        ),
        NoticeKind(
            "output_destruction_required",
            clearance.OutputDestructionRequired.type,
            "A cleared pre-publication output must be destroyed",
        ),
        NoticeKind(
            "output_overdue",
            clearance.OutputOverdue.type,
            "Your output request passed its service level",
        ),
        NoticeKind(
            "home_working_approved",
            access.HomeWorkingApproved.type,
            "Home working was approved for you",
        ),
        NoticeKind(
            "home_working_refused",
            access.HomeWorkingRefused.type,
            "Your home-working request was refused",
        ),
        # Staff and data owners: what awaits their decision (sent to mailboxes, never opted out).
        NoticeKind(
            "accreditation_application_to_decide",
            accreditation.ApplicationSubmitted.type,
            "Panel: a new accreditation application awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "project_application_to_decide",
            projects.ProjectSubmitted.type,
            "Panel: a new project application awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "member_request_to_decide",
            projects.ProjectMemberRequested.type,
            "Support (or panel): a request to add a project member awaits a decision",
            to_staff=True,
        ),
        NoticeKind(
            "output_request_to_check",
            clearance.OutputSubmitted.type,
            "Checkers: a new output request awaits checking",
            to_staff=True,
        ),
        NoticeKind(
            "home_working_request_to_decide",
            access.HomeWorkingRequested.type,
            "Support and data owners: a home-working request awaits a decision",
            to_staff=True,
        ),
    )
}
OPTIONAL_NOTICES = tuple(k for k, n in NOTICES.items() if n.optional)
RESEARCHER_NOTICES = {k: n for k, n in NOTICES.items() if not n.to_staff}
NOTICE_BY_EVENT_TYPE = {n.event_type: n for n in NOTICES.values() if n.event_type}


# Staff and data-owner recipients: mailboxes, not researchers. The recipient key stored in
# the delivery log's ``researcher_id`` column starts with MAILBOX; the sender finds the
# address in settings (``<name>_mailbox``, ``data_owner_mailboxes``).
MAILBOX = "mailbox:"
PANEL = f"{MAILBOX}panel"
CHECKERS = f"{MAILBOX}checkers"
SUPPORT = f"{MAILBOX}support"
DATA_OWNER = f"{MAILBOX}data_owner:"
MAILBOX_NAMES = {
    PANEL: "Research Accreditation Panel",
    CHECKERS: "Statistical Support Team",
    SUPPORT: "Research Support Helpdesk",
}


def data_owner_mailbox(owner: str) -> str:
    return f"{DATA_OWNER}{owner}"


def is_mailbox(recipient: str) -> bool:
    return recipient.startswith(MAILBOX)


def mailbox_name(recipient: str) -> str:
    """How a staff or data-owner mailbox is greeted."""
    if recipient.startswith(DATA_OWNER):
        return f"{recipient.removeprefix(DATA_OWNER)} data owner"
    return MAILBOX_NAMES.get(recipient, recipient.removeprefix(MAILBOX))


@dataclass(frozen=True)
class Known:
    """What the read models know that an event does not carry: a project's title, lead
    and members (researcher -> role), datasets' owners, and which mailbox decides member
    requests (a setting)."""

    project_title: str | None = None
    lead_researcher_id: str | None = None
    members: dict[str, str] = field(default_factory=dict)
    dataset_owners: dict[str, str] = field(default_factory=dict)
    member_requests_to: str = SUPPORT


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
    return {
        "booking_id": p.booking_id,
        "site_id": p.site_id,
        "place": p.place,
        "starts_at": _iso(p.starts_at),
        "ends_at": _iso(p.ends_at),
        **_project(p.project_id, title),
    }


def _output(p: clearance._Output, title: str | None) -> dict[str, Any]:
    return {"output_id": p.output_id, "kind": p.kind, **_project(p.project_id, title)}


def _accreditation(p: accreditation._AccreditationState) -> dict[str, Any]:
    return {
        "accreditation_id": p.accreditation_id,
        "kind": p.kind,
        "valid_until": _iso(p.valid_until),
    }


def _one(notice: str, researcher_id: str, about: str | None, **context: Any) -> list[PlannedNotice]:
    return [PlannedNotice(notice, researcher_id, about, context)]


def _each(
    notice: str, researcher_ids: list[str], about: str | None, **context: Any
) -> list[PlannedNotice]:
    return [PlannedNotice(notice, r, about, context) for r in dict.fromkeys(researcher_ids)]


def _plan_accreditation_granted(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_granted",
        p.researcher_id,
        p.accreditation_id,
        **_accreditation(p),
        valid_from=_iso(p.valid_from),
        conditions=p.conditions,
    )


def _plan_application_rejected(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_rejected",
        p.researcher_id,
        p.application_id,
        application_id=p.application_id,
        kind=p.kind,
        reason=p.reason,
    )


def _plan_accreditation_expiring(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_expiring",
        p.researcher_id,
        p.accreditation_id,
        **_accreditation(p),
        days_before=p.days_before,
    )


def _plan_accreditation_expired(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one("accreditation_expired", p.researcher_id, p.accreditation_id, **_accreditation(p))


def _plan_accreditation_suspended(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_suspended",
        p.researcher_id,
        p.accreditation_id,
        **_accreditation(p),
        reason=p.reason,
    )


def _plan_project_approved(p: Any, _k: Known) -> list[PlannedNotice]:
    # Each member learns their own role only, never who else is on the project.
    return [
        PlannedNotice(
            "project_approved",
            m.researcher_id,
            p.project_id,
            {
                **_project(p.project_id, p.title),
                "role": m.role,
                "data_access": m.role in projects.DATA_ROLES,
                "expected_end_date": _iso(p.expected_end_date),
                "conditions": p.conditions,
            },
        )
        for m in {m.researcher_id: m for m in p.members}.values()
    ]


def _plan_project_rejected(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "project_rejected",
        p.lead_researcher_id,
        p.project_id,
        **_project(p.project_id, k.project_title),
        reason=p.reason,
    )


def _plan_project_information_requested(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "project_information_requested",
        p.lead_researcher_id,
        p.project_id,
        **_project(p.project_id, k.project_title),
    )


def _plan_project_completion_due(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "project_completion_due",
        p.lead_researcher_id,
        p.project_id,
        **_project(p.project_id, k.project_title),
        expected_end_date=_iso(p.expected_end_date),
        days_before=p.days_before,
    )


def _plan_project_completed(p: Any, k: Known) -> list[PlannedNotice]:
    return _each(
        "project_completed",
        [p.lead_researcher_id, *p.member_ids],
        p.project_id,
        **_project(p.project_id, k.project_title),
    )


def _plan_booking_confirmed(p: Any, k: Known) -> list[PlannedNotice]:
    return _one("booking_confirmed", p.researcher_id, p.booking_id, **_booking(p, k.project_title))


def _plan_booking_cancelled(p: Any, k: Known) -> list[PlannedNotice]:
    # The reason is the person's to know; who cancelled (a staff id) is not.
    return _one(
        "booking_cancelled",
        p.researcher_id,
        p.booking_id,
        **_booking(p, k.project_title),
        reason=p.reason,
    )


def _output_plan(
    notice: str, **extra: Callable[[Any], Any]
) -> Callable[[Any, Known], list[PlannedNotice]]:
    def plan(p: Any, k: Known) -> list[PlannedNotice]:
        values = {name: get(p) for name, get in extra.items()}
        return _one(notice, p.requester_id, p.output_id, **_output(p, k.project_title), **values)

    return plan


def _plan_home_working_approved(p: Any, _k: Known) -> list[PlannedNotice]:
    return _each(
        "home_working_approved",
        p.researcher_ids,
        p.request_id,
        request_id=p.request_id,
        project_count=len(p.project_ids),
    )


def _plan_home_working_refused(p: Any, _k: Known) -> list[PlannedNotice]:
    return _each(
        "home_working_refused",
        p.researcher_ids,
        p.request_id,
        request_id=p.request_id,
        reason=p.reason,
    )


def _plan_accreditation_revoked(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_revoked",
        p.researcher_id,
        p.accreditation_id,
        **_accreditation(p),
        reason=p.reason,
    )


def _plan_accreditation_reinstated(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_reinstated", p.researcher_id, p.accreditation_id, **_accreditation(p)
    )


def _lead_first(k: Known, lead: str | None = None) -> dict[str, str]:
    """Everyone on the project (researcher -> role), the lead included even if the
    member list has not been seen."""
    lead = lead or k.lead_researcher_id
    people = {lead: "lead"} if lead else {}
    return {**people, **{r: role for r, role in k.members.items() if r != lead}}


def _plan_project_suspended(p: Any, k: Known) -> list[PlannedNotice]:
    # A suspension stops data access, bookings and outputs: it concerns every member.
    return [
        PlannedNotice(
            "project_suspended",
            r,
            p.project_id,
            {
                **_project(p.project_id, k.project_title),
                "role": role,
                "data_access": role in projects.DATA_ROLES,
                "reason": p.reason,
            },
        )
        for r, role in _lead_first(k).items()
    ]


def _plan_project_resumed(p: Any, k: Known) -> list[PlannedNotice]:
    return [
        PlannedNotice(
            "project_resumed",
            r,
            p.project_id,
            {
                **_project(p.project_id, k.project_title),
                "role": role,
                "data_access": role in projects.DATA_ROLES,
            },
        )
        for r, role in _lead_first(k).items()
    ]


def _plan_project_overdue(p: Any, k: Known) -> list[PlannedNotice]:
    # The lead must complete or extend; members who use data lose it at the grace end.
    # An outputs-only reviewer has no data account to lose: not told.
    return [
        PlannedNotice(
            "project_overdue",
            r,
            p.project_id,
            {
                **_project(p.project_id, k.project_title),
                "role": role,
                "is_lead": role == "lead",
                "expected_end_date": _iso(p.expected_end_date),
                "grace_ends_at": _iso(p.grace_ends_at),
            },
        )
        for r, role in _lead_first(k, p.lead_researcher_id).items()
        if role in projects.DATA_ROLES
    ]


def _plan_account_enabled(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "account_enabled",
        p.researcher_id,
        p.project_id,
        **_project(p.project_id, k.project_title),
        role=p.role,
        data_access=p.role in projects.DATA_ROLES,
    )


def _plan_application_submitted(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "accreditation_application_to_decide",
        PANEL,
        p.application_id,
        application_id=p.application_id,
        kind=p.kind,
        resubmission=p.resubmission,
    )


def _plan_project_submitted(p: Any, _k: Known) -> list[PlannedNotice]:
    return _one(
        "project_application_to_decide",
        PANEL,
        p.project_id,
        **_project(p.project_id, p.title),
        resubmission=p.resubmission,
        priority_asked=p.priority,
    )


def _plan_member_requested(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "member_request_to_decide",
        k.member_requests_to,
        p.request_id,
        request_id=p.request_id,
        role=p.role,
        data_access=p.role in projects.DATA_ROLES,
        **_project(p.project_id, k.project_title),
    )


def _plan_output_submitted(p: Any, k: Known) -> list[PlannedNotice]:
    return _one(
        "output_request_to_check",
        CHECKERS,
        p.output_id,
        **_output(p, k.project_title),
        due_at=_iso(p.due_at) if p.due_at else None,
        priority=p.priority,
    )


def _plan_home_working_requested(p: Any, k: Known) -> list[PlannedNotice]:
    context = {
        "request_id": p.request_id,
        "organisation_id": p.organisation_id,
        "researcher_count": len(p.researcher_ids),
        "project_count": len(p.project_ids),
        "dataset_ids": list(p.dataset_ids),
    }
    owners = dict.fromkeys(k.dataset_owners[d] for d in p.dataset_ids if d in k.dataset_owners)
    planned = [
        PlannedNotice(
            "home_working_request_to_decide",
            SUPPORT,
            p.request_id,
            {
                **context,
                "as_data_owner": False,
                "unknown_datasets": [d for d in p.dataset_ids if d not in k.dataset_owners],
            },
        )
    ]
    for owner in owners:
        # Each owner sees only its own datasets of the request.
        mine = [d for d in p.dataset_ids if k.dataset_owners.get(d) == owner]
        planned.append(
            PlannedNotice(
                "home_working_request_to_decide",
                data_owner_mailbox(owner),
                p.request_id,
                {**context, "as_data_owner": True, "dataset_ids": mine, "unknown_datasets": []},
            )
        )
    return planned


_PLANS: dict[str, Callable[[Any, Known], list[PlannedNotice]]] = {
    accreditation.AccreditationGranted.type: _plan_accreditation_granted,
    accreditation.ApplicationRejected.type: _plan_application_rejected,
    accreditation.AccreditationExpiring.type: _plan_accreditation_expiring,
    accreditation.AccreditationExpired.type: _plan_accreditation_expired,
    accreditation.AccreditationSuspended.type: _plan_accreditation_suspended,
    accreditation.AccreditationRevoked.type: _plan_accreditation_revoked,
    accreditation.AccreditationReinstated.type: _plan_accreditation_reinstated,
    accreditation.ApplicationSubmitted.type: _plan_application_submitted,
    projects.ProjectSubmitted.type: _plan_project_submitted,
    projects.ProjectMemberRequested.type: _plan_member_requested,
    projects.ProjectSuspended.type: _plan_project_suspended,
    projects.ProjectResumed.type: _plan_project_resumed,
    projects.ProjectOverdue.type: _plan_project_overdue,
    access.AccountEnabled.type: _plan_account_enabled,
    access.HomeWorkingRequested.type: _plan_home_working_requested,
    clearance.OutputSubmitted.type: _plan_output_submitted,
    projects.ProjectApproved.type: _plan_project_approved,
    projects.ProjectRejected.type: _plan_project_rejected,
    projects.ProjectInformationRequested.type: _plan_project_information_requested,
    projects.ProjectCompletionDue.type: _plan_project_completion_due,
    projects.ProjectCompleted.type: _plan_project_completed,
    booking.BookingConfirmed.type: _plan_booking_confirmed,
    booking.BookingCancelled.type: _plan_booking_cancelled,
    clearance.OutputChecked.type: _output_plan(
        "output_checked", automatic_status=lambda p: p.automatic_status
    ),
    clearance.OutputClarificationRequested.type: _output_plan("output_clarification_requested"),
    clearance.OutputApproved.type: _output_plan("output_approved"),
    # The rejection reason is about the output's contents: read in the service, not e-mailed.
    clearance.OutputRejected.type: _output_plan("output_rejected"),
    clearance.OutputDestructionRequired.type: _output_plan(
        "output_destruction_required", deadline=lambda p: _iso(p.deadline)
    ),
    clearance.OutputOverdue.type: _output_plan("output_overdue", due_at=lambda p: _iso(p.due_at)),
    access.HomeWorkingApproved.type: _plan_home_working_approved,
    access.HomeWorkingRefused.type: _plan_home_working_refused,
}


def plan_notices(
    payload: Contract, project_title: str | None = None, *, known: Known | None = None
) -> list[PlannedNotice]:
    """The e-mails one event calls for, one per recipient (none for a type we don't mail)."""
    plan = _PLANS.get(payload.type)
    if plan is None:
        return []
    return plan(payload, known or Known(project_title=project_title))


def booking_reminder(b: Any, project_title: str | None) -> PlannedNotice:
    """The day-before reminder for a booking from the read model."""
    return PlannedNotice(
        BOOKING_REMINDER,
        b.researcher_id,
        b.id,
        {
            "booking_id": b.id,
            "site_id": b.site_id,
            "place": b.place,
            "starts_at": _iso(b.starts_at),
            "ends_at": _iso(b.ends_at),
            **_project(b.project_id, project_title),
        },
    )


def is_stale(event_time: dt.datetime | None, now: dt.datetime, *, max_age: dt.timedelta) -> bool:
    """An event older than ``max_age`` when consumed is history, not news."""
    return event_time is not None and now - event_time > max_age


def sends_to(notice: str, opted_out: set[str]) -> bool:
    """Whether a notice goes out given the notices the person turned off: only optional
    notices can be turned off; decisions and answers always go."""
    return not (NOTICES[notice].optional and notice in opted_out)


def retry_delay(
    attempts: int, *, base: float, cap: float, rand: Callable[[], float] = random.random
) -> dt.timedelta:
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
