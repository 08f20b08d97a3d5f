"""Demo data for ``make run``: Alice fully accredited, Bob provisional under her.

Goes through the service's own use cases, so the usual events are published and the
other services' read models learn of both researchers.
"""

from __future__ import annotations

import datetime as dt

from srs_accreditation.applications.decisions import approve_application
from srs_accreditation.applications.drafting import create_application
from srs_accreditation.applications.submission import submit_application
from srs_accreditation.models import Researcher, messaging
from srs_accreditation.researchers.profile import register_researcher
from srs_accreditation.schemas import (
    ApplicationCreate,
    Approval,
    QualificationsIn,
    ResearcherCreate,
)
from srs_accreditation.settings import AccreditationSettings
from srs_common.auth import Principal
from srs_common.db import Database

PANEL = Principal(sub="panel", roles=frozenset({"panel"}))

DEMO = [
    (
        "res-alice",
        "Alice Example",
        "alice@ntu.example",
        QualificationsIn(degree="masters", degree_quantitative=True, quantitative_research_years=5),
        ApplicationCreate(
            kind="full",
            training_completed_on=dt.date(2026, 9, 1),
            statement="Criminologist; quantitative methods.",
        ),
    ),
    (
        "res-bob",
        "Bob Example",
        "bob@ntu.example",
        QualificationsIn(degree="undergraduate", degree_quantitative=False),
        ApplicationCreate(
            kind="provisional",
            supervisor_id="res-alice",
            training_completed_on=dt.date(2026, 9, 1),
            statement="Research assistant supervised by Alice.",
        ),
    ),
]


async def seed(settings: AccreditationSettings) -> None:
    db = Database(settings.database_url, service="accreditation", messaging=messaging)
    try:
        for researcher_id, name, email, qualifications, application in DEMO:
            async with db.transaction() as session:
                if await session.get(Researcher, researcher_id) is not None:
                    continue
                me = Principal(
                    sub=researcher_id.removeprefix("res-"),
                    roles=frozenset({"researcher"}),
                    researcher_id=researcher_id,
                    org="org-ntu",
                )
                await register_researcher(
                    session,
                    me,
                    ResearcherCreate(name=name, email=email, qualifications=qualifications),
                )
                draft = await create_application(session, me, application)
                await submit_application(session, settings, me, draft.id)
                await approve_application(
                    session,
                    settings,
                    PANEL,
                    draft.id,
                    Approval(reason="Demo data: meets the accreditation criteria."),
                )
    finally:
        await db.dispose()
