"""What every event about an application carries."""

from __future__ import annotations

from typing import TypedDict

from srs_accreditation.models import Application, Researcher


class ApplicationFields(TypedDict):
    """Which application, whose, and of which organisation (the consumers route on it)."""

    application_id: str
    researcher_id: str
    organisation_id: str


def application_fields(application: Application, researcher: Researcher) -> ApplicationFields:
    """The fields every application event shares, for ``application`` of ``researcher``."""
    return ApplicationFields(
        application_id=application.id,
        researcher_id=researcher.id,
        organisation_id=researcher.organisation_id,
    )
