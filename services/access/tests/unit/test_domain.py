"""Access rules without I/O."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from srs_access.domain import (
    AccessLevel,
    DecisionFacts,
    add_working_days,
    agreement_current,
    deny_reasons,
    home_working_respond_by,
    project_access_level,
    public_package_repository,
)

TODAY = dt.date(2026, 11, 25)
ALLOWED_SAFE_ROOM = DecisionFacts(
    setting="safe_room",
    country="GB",
    today=TODAY,
    accreditation_status="current",
    accreditation_valid_until=TODAY,
    member_status="active",
    member_role="lead",
    project_status="active",
    dataset_levels=[1],
    has_booking_now=True,
    aoc_certified_until=None,
    legacy_remote_access=False,
    home_working_granted=False,
    syops_signed=False,
)
ALLOWED_HOME = dataclasses.replace(
    ALLOWED_SAFE_ROOM,
    setting="home",
    dataset_levels=[3, 3],
    has_booking_now=False,
    aoc_certified_until=TODAY,
    home_working_granted=True,
    syops_signed=True,
)


def test_allowed_facts_give_no_reason():
    assert deny_reasons(ALLOWED_SAFE_ROOM) == []
    assert deny_reasons(ALLOWED_HOME) == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"country": "FR"}, "outside_uk"),
        ({"accreditation_status": "suspended"}, "accreditation_not_current"),
        ({"accreditation_valid_until": TODAY - dt.timedelta(days=1)}, "accreditation_not_current"),
        ({"accreditation_status": None}, "accreditation_not_current"),
        ({"member_status": "removed"}, "not_active_member"),
        ({"member_status": None}, "not_active_member"),
        ({"member_role": "peer_reviewer_outputs"}, "no_data_account"),
        ({"project_status": "suspended"}, "project_not_active"),
        ({"dataset_levels": [3, 2]}, "setting_not_permitted"),
        ({"dataset_levels": [3, None]}, "setting_not_permitted"),
        ({"aoc_certified_until": TODAY - dt.timedelta(days=1)}, "no_current_agreement"),
        ({"aoc_certified_until": None, "legacy_remote_access": True}, "no_current_agreement"),
        ({"home_working_granted": False}, "no_home_working"),
        ({"syops_signed": False}, "syops_not_signed"),
    ],
)
def test_each_home_deny_reason(change, reason):
    assert deny_reasons(dataclasses.replace(ALLOWED_HOME, **change)) == [reason]


def test_safe_room_needs_a_booking_and_every_reason_is_listed():
    assert deny_reasons(dataclasses.replace(ALLOWED_SAFE_ROOM, has_booking_now=False)) == [
        "no_booking"
    ]
    everything = dataclasses.replace(
        ALLOWED_HOME,
        country="US",
        accreditation_status="revoked",
        member_status=None,
        project_status=None,
        dataset_levels=[1],
        aoc_certified_until=None,
        home_working_granted=False,
    )
    assert deny_reasons(everything) == [
        "outside_uk",
        "accreditation_not_current",
        "not_active_member",
        "project_not_active",
        "setting_not_permitted",
        "no_current_agreement",
        "no_home_working",
    ]


def test_project_is_as_restricted_as_its_most_restricted_dataset():
    assert project_access_level([3, 2, 3]) is AccessLevel.aoc_office
    assert project_access_level([3]) is AccessLevel.home
    assert project_access_level([3, None]) is AccessLevel.safe_setting


def test_legacy_arrangement_is_no_agreement():
    assert agreement_current(TODAY, False, TODAY)
    assert not agreement_current(None, True, TODAY)


def test_legacy_remote_connection_permits_the_office_but_not_home():
    office = dataclasses.replace(
        ALLOWED_HOME, setting="office", home_working_granted=False, syops_signed=False
    )
    legacy = {"aoc_certified_until": None, "legacy_remote_access": True}
    assert deny_reasons(dataclasses.replace(office, **legacy)) == []
    assert deny_reasons(dataclasses.replace(ALLOWED_HOME, **legacy)) == ["no_current_agreement"]
    assert deny_reasons(dataclasses.replace(office, aoc_certified_until=None)) == [
        "no_current_agreement"
    ]


def test_two_working_days_skip_weekends_and_england_and_wales_bank_holidays():
    # Thursday 24 December 2026: Christmas (Fri), Boxing Day substitute (Mon 28th).
    assert add_working_days(dt.date(2026, 12, 24), 2) == dt.date(2026, 12, 30)
    # Friday before the spring bank holiday (Mon 25 May 2026).
    assert add_working_days(dt.date(2026, 5, 22), 2) == dt.date(2026, 5, 27)
    # Submitted late on a Wednesday evening in London (still Wednesday there).
    evening = dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC)
    assert home_working_respond_by(evening) == dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("source", "repository"),
    [
        ("https://cran.r-project.org/package=dplyr", "CRAN"),
        ("CRAN", "CRAN"),
        ("pypi:pandas", "PyPI"),
        ("https://pypi.org/project/pandas/", "PyPI"),
        ("https://github.com/tidyverse/dplyr", "GitHub"),
        ("github.com/x/y", "GitHub"),
        ("https://www.bioconductor.org/packages/limma", "Bioconductor"),
        ("https://gitlab.com/a/b", "GitLab"),
    ],
)
def test_public_package_repositories_are_recognised(source, repository):
    assert public_package_repository(source) == repository


@pytest.mark.parametrize(
    "source",
    [
        "sftp upload ref 2026-11-25-alice-01",
        "https://files.ntu.example/alice/model.do",
        "my own do-files",
        "githubby-local-archive.zip",
    ],
)
def test_own_sources_are_not_public_repositories(source):
    assert public_package_repository(source) is None
