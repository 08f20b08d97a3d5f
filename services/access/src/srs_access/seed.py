"""Demo reference data for the embedded default: datasets, one organisation, demo users.

Datasets go through :func:`catalogue.catalogue_dataset`, like any catalogue change, so
booking and clearance learn their access levels and thresholds from
``dataset.catalogued``; running the seed again changes and publishes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict

from sqlalchemy.ext.asyncio import AsyncSession

from srs_access.catalogue import catalogue_dataset, save_organisation, set_requirements
from srs_access.domain import AccessLevel
from srs_access.models import Dataset, Organisation, User, messaging
from srs_access.oidc.models import AccountProfile
from srs_access.passwords import hash_password_async
from srs_access.settings import AccessSettings
from srs_common.contracts.access import DatasetRequirement
from srs_common.db import Database, utcnow

# id, title, owner, access level, disclosure threshold, operational-ID columns
DATASETS = [
    ("ds-csew-2019", "Crime Survey for England and Wales 2019", "ONS", AccessLevel.home, 10, []),
    (
        "ds-ashe-2021",
        "Annual Survey of Hours and Earnings 2021",
        "ONS",
        AccessLevel.aoc_office,
        10,
        ["entref"],
    ),
    (
        "ds-idbr-2022",
        "Inter-Departmental Business Register 2022",
        "ONS",
        AccessLevel.safe_setting,
        10,
        ["entref", "ruref"],
    ),
    (
        "ds-mortality-2020",
        "Deaths registered in England and Wales 2020",
        "ONS Health",
        AccessLevel.safe_setting,
        5,
        ["nhs_number"],
    ),
    ("ds-ons-ls", "ONS Longitudinal Study", "ONS", AccessLevel.safe_setting, 10, []),
]

# Extra steps a dataset requires of a project (section 20: "you will also need to
# complete the LS supplementary form"); set through catalogue.set_requirements.
REQUIREMENTS: dict[str, list[dict[str, Any]]] = {
    "ds-ons-ls": [
        {
            "key": "ls_supplementary_form",
            "kind": "supplementary_form",
            "name": "LS supplementary form",
            "accepted_by": "ONS",
            "description": "The Longitudinal Study's supplementary form. CeLSIUS (UCL and "
            "ONS, Drummond Gate) helps UK-based academic, voluntary and public-sector users "
            "complete it; anyone else contacts the LS Development Team "
            "(LongitudinalStudy@ons.gov.uk).",
            "questions": [
                {
                    "key": "sector",
                    "label": "Which sector are you employed in?",
                    "choices": ["academic", "voluntary", "public"],
                },
                {
                    "key": "uk_based",
                    "label": "Are you based in the UK?",
                    "choices": ["yes", "no"],
                },
                {
                    "key": "census_years",
                    "label": "Which census years do you need?",
                    "hint": "For example 1971, 1981, 1991, 2001 and 2011",
                },
                {
                    "key": "variables",
                    "label": "Which LS variables do you need, and why?",
                    "hint": "Name each variable and what your analysis uses it for",
                },
                {
                    "key": "celsius_contact",
                    "label": "Who at CeLSIUS has helped you with this application?",
                    "hint": "Leave blank if nobody has yet",
                    "required": False,
                },
            ],
        }
    ],
}


class _Organisation(TypedDict):
    id: str
    name: str
    contact_email: str | None
    aoc_certified_until: dt.date | None
    legacy_remote_access: bool


ORGANISATIONS: list[_Organisation] = [
    {
        "id": "org-ntu",
        "name": "Nottingham Trent University",
        "contact_email": "research.office@ntu.example",
        "aoc_certified_until": dt.date(2028, 3, 31),
        "legacy_remote_access": False,
    },
    # An existing remote connection not yet moved to an agreement: office access, no home.
    {
        "id": "org-fieldhouse",
        "name": "Fieldhouse Economic Institute",
        "contact_email": "research@fieldhouse.example",
        "aoc_certified_until": None,
        "legacy_remote_access": True,
    },
]

# username, roles, researcher id, organisation (for a data owner: the owner it speaks
# for, as named in the catalogue). Password: "<username>-demo".
DEMO_USERS = [
    ("alice", ["researcher"], "res-alice", "org-ntu"),
    ("bob", ["researcher"], "res-bob", "org-ntu"),
    ("panel", ["panel"], None, None),
    ("checker", ["checker"], None, None),
    ("support", ["support"], None, None),
    ("ops", ["ops"], None, None),
    ("owner", ["data_owner"], None, "ONS"),
]

# The demo staff's names and addresses (the portal and the staff pages show names, never
# logins); researchers' names come from their researcher profiles in accreditation.
DEMO_STAFF_PROFILES = {
    "panel": ("Priya Shah", "panel@srs.example"),
    "checker": ("Tom Okafor", "checker@srs.example"),
    "support": ("Sam Reid", "support@srs.example"),
    "ops": ("Jo Ellis", "ops@srs.example"),
    "owner": ("Dana Price", "data-owner@ons.example"),
}


async def seed_reference_data(session: AsyncSession) -> None:
    """Catalogue and organisations, then the demo logins."""
    await seed_catalogue(session)
    await seed_demo_users(session)


async def seed_catalogue(session: AsyncSession) -> None:
    for dataset_id, title, owner, level, threshold, columns in DATASETS:
        existing = await session.get(Dataset, dataset_id)
        if existing is not None and (
            existing.title,
            existing.owner,
            existing.access_level,
            existing.disclosure_threshold,
            existing.operational_id_columns,
        ) == (title, owner, int(level), threshold, columns):
            continue
        await catalogue_dataset(
            session,
            dataset_id=dataset_id,
            title=title,
            owner=owner,
            access_level=level,
            disclosure_threshold=threshold,
            operational_id_columns=columns,
            create=existing is None,
        )
    for dataset_id, requirements in REQUIREMENTS.items():
        dataset = await session.get(Dataset, dataset_id)
        wanted = [
            DatasetRequirement.model_validate(r).model_dump(mode="json") for r in requirements
        ]
        if dataset is not None and dataset.requirements != wanted:
            await set_requirements(session, dataset_id, requirements)
    for organisation in ORGANISATIONS:
        if await session.get(Organisation, organisation["id"]) is None:
            values = {k: v for k, v in organisation.items() if k != "id"}
            await save_organisation(session, organisation["id"], create=True, **values)


# A demo password is public ("<user>-demo"): its argon2 hash (tens of milliseconds) is
# computed once per process, however many databases the process seeds (tests seed many).
_demo_hashes: dict[str, str] = {}


async def _demo_password_hash(username: str) -> str:
    if username not in _demo_hashes:
        _demo_hashes[username] = await hash_password_async(f"{username}-demo")
    return _demo_hashes[username]


async def seed_demo_users(session: AsyncSession) -> None:
    for username, roles, researcher_id, org in DEMO_USERS:
        if await session.get(User, username) is None:
            session.add(
                User(
                    username=username,
                    roles=roles,
                    researcher_id=researcher_id,
                    organisation_id=org,
                    password_hash=await _demo_password_hash(username),
                )
            )
        if username in DEMO_STAFF_PROFILES and await session.get(AccountProfile, username) is None:
            name, email = DEMO_STAFF_PROFILES[username]
            session.add(
                AccountProfile(
                    username=username, name=name, email=email, email_verified_at=utcnow()
                )
            )


async def seed(settings: AccessSettings) -> None:
    db = Database(settings.database_url, service="access", messaging=messaging)
    try:
        async with db.transaction() as session:
            await seed_reference_data(session)
    finally:
        await db.dispose()
