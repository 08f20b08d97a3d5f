"""Opening hours, bank holidays and the daylight-saving change, without I/O."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from srs_booking import domain
from srs_common.errors import RuleViolation

SAFE_ROOM = SimpleNamespace(
    kind="safe_room",
    places=8,
    timezone="Europe/London",
    opens_at=dt.time(9),
    closes_at=dt.time(16),
    open_weekdays=[0, 1, 2, 3, 4],
)
POD = SimpleNamespace(
    kind="safepod",
    places=1,
    timezone="Europe/London",
    opens_at=dt.time(8),
    closes_at=dt.time(18),
    open_weekdays=[0, 1, 2, 3, 4, 5],
)


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_places_are_terminals_in_a_safe_room_and_one_pod_in_a_safepod():
    assert domain.place_codes(SAFE_ROOM) == [f"T{n}" for n in range(1, 9)]
    assert domain.place_codes(POD) == ["POD"]


def test_nine_to_four_london_moves_in_utc_when_the_clocks_go_back():
    # Friday 29 October 2027 is BST; Monday 1 November 2027 is GMT.
    friday = domain.opening_slots(SAFE_ROOM, dt.date(2027, 10, 29))
    monday = domain.opening_slots(SAFE_ROOM, dt.date(2027, 11, 1))
    assert (friday[0], friday[-1]) == (utc(2027, 10, 29, 8), utc(2027, 10, 29, 14))
    assert (monday[0], monday[-1]) == (utc(2027, 11, 1, 9), utc(2027, 11, 1, 15))
    assert len(friday) == len(monday) == 7


def test_and_when_they_go_forward_in_march():
    # Friday 24 March 2028 is GMT; Monday 27 March 2028 is BST (clocks change 26 March).
    assert domain.opening_slots(SAFE_ROOM, dt.date(2028, 3, 24))[0] == utc(2028, 3, 24, 9)
    assert domain.opening_slots(SAFE_ROOM, dt.date(2028, 3, 27))[0] == utc(2028, 3, 27, 8)


def test_weekends_and_england_and_wales_bank_holidays_have_no_slots():
    assert domain.opening_slots(SAFE_ROOM, dt.date(2027, 10, 30)) == ()  # Saturday
    assert len(domain.opening_slots(POD, dt.date(2027, 10, 30))) == 10  # pod opens Saturdays
    assert domain.bank_holiday(dt.date(2027, 12, 27)) is not None  # Christmas substitute
    assert domain.opening_slots(SAFE_ROOM, dt.date(2027, 12, 27)) == ()
    assert domain.opening_slots(SAFE_ROOM, dt.date(2027, 8, 30)) == ()  # summer bank holiday
    # St Andrew's Day is a Scottish bank holiday only
    assert domain.bank_holiday(dt.date(2027, 11, 30)) is None


def test_a_booking_across_the_change_checks_local_hours():
    now = utc(2027, 10, 25, 10)
    horizon = dt.timedelta(days=56)
    # 08:00Z is 09:00 on Friday (BST) but 08:00 on Monday (GMT), before opening
    assert domain.check_booking_times(
        SAFE_ROOM, [], utc(2027, 10, 29, 8), utc(2027, 10, 29, 9), now=now, horizon=horizon
    ) == [utc(2027, 10, 29, 8)]
    with pytest.raises(RuleViolation) as refused:
        domain.check_booking_times(
            SAFE_ROOM, [], utc(2027, 11, 1, 8), utc(2027, 11, 1, 9), now=now, horizon=horizon
        )
    assert refused.value.extra["rule"] == "outside_opening_hours"
    whole_day = domain.check_booking_times(
        SAFE_ROOM, [], utc(2027, 11, 1, 9), utc(2027, 11, 1, 16), now=now, horizon=horizon
    )
    assert len(whole_day) == 7


def test_a_closure_refuses_the_hours_it_covers_only():
    closure = SimpleNamespace(
        starts_at=utc(2027, 11, 1, 12), ends_at=utc(2027, 11, 1, 16), reason="fire drill"
    )
    now, horizon = utc(2027, 10, 25, 10), dt.timedelta(days=56)
    assert domain.check_booking_times(
        SAFE_ROOM, [closure], utc(2027, 11, 1, 9), utc(2027, 11, 1, 12), now=now, horizon=horizon
    )
    with pytest.raises(RuleViolation, match="fire drill"):
        domain.check_booking_times(
            SAFE_ROOM,
            [closure],
            utc(2027, 11, 1, 11),
            utc(2027, 11, 1, 13),
            now=now,
            horizon=horizon,
        )


def test_eligibility_refuses_each_missing_fact_with_its_rule():
    good = domain.Eligibility(
        declaration_signed=True,
        accreditation_status="current",
        accreditation_valid_until=dt.date(2029, 1, 1),
        member_active=True,
        project_status="active",
        dataset_levels={"ds": "aoc_office"},
    )
    domain.check_eligibility(good, declaration_version="v1", booking_date=dt.date(2027, 11, 1))
    cases = {
        "security_declaration": {"declaration_signed": False},
        "accreditation_not_current": {"accreditation_status": None},
        "not_project_member": {"member_active": False},
        "project_not_active": {"project_status": "suspended"},
        "dataset_not_permitted": {"dataset_levels": {"ds": None}},
    }
    for rule, change in cases.items():
        facts = domain.Eligibility(**{**good.__dict__, **change})
        with pytest.raises(RuleViolation) as refused:
            domain.check_eligibility(
                facts, declaration_version="v1", booking_date=dt.date(2027, 11, 1)
            )
        assert refused.value.extra["rule"] == rule
