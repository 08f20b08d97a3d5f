"""Access rules: pure functions and plain values, no I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from srs_common.contracts.access import AccessLevel as AccessLevelName
from srs_common.contracts.projects import DATA_ROLES
from srs_common.errors import IllegalTransition, RuleViolation
from srs_common.workingdays import add_working_days


class AccessLevel(IntEnum):
    """What a dataset's owner permits, ordered by the trust a setting needs (lowest first)."""

    safe_setting = 1  # safe room or SafePod only
    aoc_office = 2  # also office access from an organisation with a current agreement
    home = 3  # also home access (with an approved application)


# Each level's name as the events and the API spell it.
LEVEL_NAMES: dict[AccessLevel, AccessLevelName] = {
    AccessLevel.safe_setting: "safe_setting",
    AccessLevel.aoc_office: "aoc_office",
    AccessLevel.home: "home",
}


# The least a project's datasets must permit for each place a session starts from.
SETTING_NEEDS = {
    "safe_room": AccessLevel.safe_setting,
    "safepod": AccessLevel.safe_setting,
    "office": AccessLevel.aoc_office,
    "home": AccessLevel.home,
}
SAFE_SETTINGS = frozenset({"safe_room", "safepod"})


def project_access_level(dataset_levels: list[int | None]) -> AccessLevel:
    """A project is as restricted as its most restricted dataset; an uncatalogued
    dataset counts as the most restricted of all."""
    if not dataset_levels:
        return AccessLevel.safe_setting
    return AccessLevel(min(level or AccessLevel.safe_setting for level in dataset_levels))


def agreement_current(
    aoc_certified_until: dt.date | None, legacy_remote_access: bool, today: dt.date
) -> bool:
    """A current Assured Organisational Connectivity agreement. A legacy remote-access
    arrangement is not an agreement; only the certification date counts (home working
    needs the agreement itself)."""
    del legacy_remote_access  # named to make the rule explicit: it never helps
    return aoc_certified_until is not None and aoc_certified_until >= today


def office_connection_permitted(
    aoc_certified_until: dt.date | None, legacy_remote_access: bool, today: dt.date
) -> bool:
    """Researchers may work from their organisation's office under a current agreement
    or, as before the agreements, under the organisation's existing (legacy) remote
    connection (service description, section 18: "researchers in organisations with
    existing remote connectivity can continue to work from their offices as normal")."""
    return legacy_remote_access or agreement_current(aoc_certified_until, False, today)


def accreditation_current(status: str | None, valid_until: dt.date | None, today: dt.date) -> bool:
    return status == "current" and valid_until is not None and valid_until >= today


# --- access decisions ------------------------------------------------------------------

DENY_MESSAGES = {
    "outside_uk": "access from outside the UK is not permitted",
    "accreditation_not_current": "the researcher's accreditation is not current",
    "not_active_member": "the researcher is not an active member of the project",
    "no_data_account": "the researcher's role on the project (outputs-only peer reviewer) "
    "has no data account",
    "project_not_active": "the project is not active",
    "setting_not_permitted": "the project's datasets do not permit access from this setting",
    "no_booking": "no confirmed booking at this site for now",
    "no_current_agreement": "the researcher's organisation has no current Assured "
    "Organisational Connectivity agreement (an existing legacy "
    "remote connection permits office access only)",
    "no_home_working": "no approved home-working application for this researcher and project",
    "syops_not_signed": "the extended security operating procedures are not signed",
}


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    """Everything a decision needs, read from the read models."""

    setting: str
    country: str
    today: dt.date
    accreditation_status: str | None
    accreditation_valid_until: dt.date | None
    member_status: str | None
    member_role: str | None
    project_status: str | None
    dataset_levels: list[int | None]
    has_booking_now: bool
    aoc_certified_until: dt.date | None
    legacy_remote_access: bool
    home_working_granted: bool
    syops_signed: bool


def deny_reasons(f: DecisionFacts) -> list[str]:
    """Every reason that applies, in a stable order; empty means allow."""
    reasons = []
    if f.country.upper() != "GB":
        reasons.append("outside_uk")
    if not accreditation_current(f.accreditation_status, f.accreditation_valid_until, f.today):
        reasons.append("accreditation_not_current")
    if f.member_status != "active":
        reasons.append("not_active_member")
    elif f.member_role not in DATA_ROLES:
        reasons.append("no_data_account")
    if f.project_status != "active":
        reasons.append("project_not_active")
    if project_access_level(f.dataset_levels) < SETTING_NEEDS[f.setting]:
        reasons.append("setting_not_permitted")
    if f.setting in SAFE_SETTINGS and not f.has_booking_now:
        reasons.append("no_booking")
    if f.setting == "office" and not office_connection_permitted(
        f.aoc_certified_until, f.legacy_remote_access, f.today
    ):
        reasons.append("no_current_agreement")
    if f.setting == "home" and not agreement_current(
        f.aoc_certified_until, f.legacy_remote_access, f.today
    ):
        reasons.append("no_current_agreement")
    if f.setting == "home":
        if not f.home_working_granted:
            reasons.append("no_home_working")
        elif not f.syops_signed:
            reasons.append("syops_not_signed")
    return reasons


# --- read models: late events lose ---------------------------------------------------


def newer(event_at: dt.datetime, changed_at: dt.datetime | None) -> bool:
    """Apply an event to a read-model row only if it is not older than the row's state
    (events from different aggregates or topics may arrive out of order)."""
    return changed_at is None or event_at >= changed_at


# --- home working -----------------------------------------------------------------------

RESPONSE_WORKING_DAYS = 2
_LONDON = ZoneInfo("Europe/London")


def home_working_respond_by(submitted_at: dt.datetime) -> dt.date:
    """Requests are reviewed and responded to within two working days (section 18)."""
    london = submitted_at.astimezone(_LONDON).date()
    return add_working_days(london, RESPONSE_WORKING_DAYS)


class HomeWorkingAction(StrEnum):
    """What staff may do to a submitted home-working request."""

    APPROVE = "approve"
    REFUSE = "refuse"


def check_home_working_transition(status: str, action: HomeWorkingAction) -> None:
    if status != "submitted":
        raise IllegalTransition("home-working request", status, action)


def check_home_working_form(
    organisation_machine_over_vpn: bool, organisation_agreement_confirmed: bool
) -> None:
    if not organisation_machine_over_vpn:
        raise RuleViolation(
            "access from home must be from a machine provided by the "
            "organisation over its corporate VPN",
            rule="organisation_machine",
        )
    if not organisation_agreement_confirmed:
        raise RuleViolation(
            "the organisation must confirm its Assured Organisational Connectivity agreement",
            rule="agreement_confirmation",
        )


def home_working_fully_approved(
    staff_approved_by: str | None, dataset_owners: dict[str, str], owner_approvals: dict[str, str]
) -> bool:
    return staff_approved_by is not None and set(dataset_owners) <= set(owner_approvals)


# --- ingestion ---------------------------------------------------------------------------

PUBLIC_PACKAGE_REPOSITORIES = {
    "cran": "CRAN",
    "cran.r-project.org": "CRAN",
    "pypi": "PyPI",
    "pypi.org": "PyPI",
    "files.pythonhosted.org": "PyPI",
    "github": "GitHub",
    "github.com": "GitHub",
    "raw.githubusercontent.com": "GitHub",
    "gitlab": "GitLab",
    "gitlab.com": "GitLab",
    "bitbucket.org": "Bitbucket",
    "bioconductor": "Bioconductor",
    "bioconductor.org": "Bioconductor",
    "npm": "npm",
    "npmjs.com": "npm",
    "registry.npmjs.org": "npm",
    "conda-forge": "conda-forge",
    "anaconda.org": "Anaconda",
    "repo.anaconda.com": "Anaconda",
    "r-universe.dev": "R-universe",
    "ssc.wisc.edu": "SSC (Stata)",
    "rubygems.org": "RubyGems",
    "crates.io": "crates.io",
    "maven": "Maven Central",
    "repo1.maven.org": "Maven Central",
}


def public_package_repository(source: str) -> str | None:
    """The public package repository ``source`` points at (a URL or a name such as
    ``CRAN``, ``pypi:pandas``), or None. The service cannot ingest packages from them."""
    text = source.strip().lower()
    host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    candidates = {
        text,
        text.split(":", 1)[0],
        text.split("/", 1)[0],
        host,
        host.removeprefix("www."),
    }
    for candidate in candidates:
        for known, name in PUBLIC_PACKAGE_REPOSITORIES.items():
            if candidate == known or (("." in known) and candidate.endswith("." + known)):
                return name
    return None
