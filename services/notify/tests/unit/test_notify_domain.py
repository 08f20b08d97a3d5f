"""The notifier's rules without I/O: who is told, what may be turned off, when to retry
and when a booking's reminder is due."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts import booking, projects
from srs_notify import domain

UTC = dt.UTC


def test_only_reminders_can_be_turned_off() -> None:
    assert set(domain.OPTIONAL_NOTICES) == {
        "accreditation_expiring",
        "project_completion_due",
        "booking_reminder",
    }
    assert not domain.sends_to("booking_reminder", {"booking_reminder"})
    assert domain.sends_to("booking_reminder", set())
    # A decision goes out even if a stored preference says otherwise.
    assert domain.sends_to("booking_cancelled", {"booking_cancelled"})


def test_project_approval_tells_each_member_their_own_role_only() -> None:
    approved = projects.ProjectApproved.model_validate(
        {
            **projects.ProjectApproved.example,
            "members": [
                {"researcher_id": "res-alice", "role": "lead"},
                {"researcher_id": "res-bob", "role": "researcher"},
            ],
        }
    )
    planned = domain.plan_notices(approved)
    assert {(p.researcher_id, p.context["role"]) for p in planned} == {
        ("res-alice", "lead"),
        ("res-bob", "researcher"),
    }
    for p in planned:
        assert "members" not in p.context
        assert not any("res-" in str(v) for v in p.context.values())


def test_a_lead_listed_among_members_is_told_once_of_completion() -> None:
    completed = projects.ProjectCompleted.model_validate(projects.ProjectCompleted.example)
    assert completed.lead_researcher_id in completed.member_ids
    planned = domain.plan_notices(completed)
    assert sorted(p.researcher_id for p in planned) == ["res-alice", "res-bob"]


def test_who_cancelled_a_booking_is_not_in_the_context() -> None:
    cancelled = booking.BookingCancelled.model_validate(
        {**booking.BookingCancelled.example, "cancelled_by": "staff-dave"}
    )
    (planned,) = domain.plan_notices(cancelled)
    assert planned.context["reason"] == "site closure: fire drill"
    assert "staff-dave" not in planned.context.values()


def test_events_with_no_notice_plan_nothing() -> None:
    activated = projects.ProjectActivated.model_validate(projects.ProjectActivated.example)
    assert domain.plan_notices(activated) == []


def test_retry_delay_grows_and_is_capped() -> None:
    mid = lambda: 0.5  # noqa: E731 - a fixed jitter
    delays = [
        domain.retry_delay(n, base=30, cap=600, rand=mid).total_seconds() for n in (1, 2, 3, 10)
    ]
    assert delays == [22.5, 45.0, 90.0, 450.0]
    assert domain.retry_delay(1, base=30, cap=600, rand=lambda: 0.0).total_seconds() == 15


def test_reminders_go_the_day_before_by_the_uk_calendar() -> None:
    # 23:30 UTC on 1 July is already 2 July in London (BST): "tomorrow" is 3 July.
    start, end = domain.reminder_window(dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    assert (start, end) == (
        dt.datetime(2026, 7, 2, 23, 0, tzinfo=UTC),
        dt.datetime(2026, 7, 3, 23, 0, tzinfo=UTC),
    )
    # The night the clocks go back (25 October 2026) the day has 25 hours.
    start, end = domain.reminder_window(dt.datetime(2026, 10, 24, 12, 0, tzinfo=UTC))
    assert end - start == dt.timedelta(hours=25)


def test_an_event_is_stale_only_past_the_limit() -> None:
    now = dt.datetime(2026, 11, 25, 12, tzinfo=UTC)
    limit = dt.timedelta(hours=72)
    assert domain.is_stale(now - dt.timedelta(hours=73), now, max_age=limit)
    assert not domain.is_stale(now - dt.timedelta(hours=71), now, max_age=limit)
    assert not domain.is_stale(None, now, max_age=limit)
