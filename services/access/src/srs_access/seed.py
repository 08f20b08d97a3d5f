"""Demo reference data for the embedded default: datasets, one organisation, demo users."""

from __future__ import annotations

import datetime as dt

from srs_common.db import Database
from srs_access.models import Dataset, Organisation, User, messaging
from srs_access.passwords import hash_password
from srs_access.settings import AccessSettings

DATASETS = [
    Dataset(id="ds-csew-2019", title="Crime Survey for England and Wales 2019", owner="ONS",
            access_level=3, disclosure_threshold=10, operational_id_columns=[]),
    Dataset(id="ds-ashe-2021", title="Annual Survey of Hours and Earnings 2021", owner="ONS",
            access_level=2, disclosure_threshold=10, operational_id_columns=["entref"]),
    Dataset(id="ds-idbr-2022", title="Inter-Departmental Business Register 2022", owner="ONS",
            access_level=1, disclosure_threshold=10, operational_id_columns=["entref", "ruref"]),
    Dataset(id="ds-mortality-2020", title="Deaths registered in England and Wales 2020",
            owner="ONS Health", access_level=1, disclosure_threshold=5,
            operational_id_columns=["nhs_number"]),
]

ORGANISATIONS = [
    Organisation(id="org-ntu", name="Nottingham Trent University",
                 contact_email="research.office@ntu.example",
                 aoc_certified_until=dt.date(2028, 3, 31), legacy_remote_access=False),
]

# username, roles, researcher id, organisation. Password: "<username>-demo".
DEMO_USERS = [
    ("alice", ["researcher"], "res-alice", "org-ntu"),
    ("bob", ["researcher"], "res-bob", "org-ntu"),
    ("panel", ["panel"], None, None),
    ("checker", ["checker"], None, None),
    ("support", ["support"], None, None),
    ("ops", ["ops"], None, None),
    ("owner", ["data_owner"], None, None),
]


async def seed(settings: AccessSettings) -> None:
    db = Database(settings.database_url, service="access", messaging=messaging)
    try:
        async with db.transaction() as session:
            for row in [*DATASETS, *ORGANISATIONS]:
                if await session.get(type(row), row.id) is None:
                    session.add(row)
            for username, roles, researcher_id, org in DEMO_USERS:
                if await session.get(User, username) is None:
                    session.add(User(username=username, roles=roles, researcher_id=researcher_id,
                                     organisation_id=org,
                                     password_hash=hash_password(f"{username}-demo")))
    finally:
        await db.dispose()
