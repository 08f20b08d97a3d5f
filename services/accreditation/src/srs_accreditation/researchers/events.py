"""The payloads that describe a researcher's profile as it stands."""

from __future__ import annotations

from srs_accreditation.models import Researcher
from srs_common.contracts.accreditation import ResearcherRegistered, ResearcherUpdated


def profile_event(
    cls: type[ResearcherRegistered] | type[ResearcherUpdated], researcher: Researcher
) -> ResearcherRegistered | ResearcherUpdated:
    return cls(
        researcher_id=researcher.id,
        name=researcher.name,
        email=researcher.email,
        organisation_id=researcher.organisation_id,
        occurred_at=researcher.updated_at,
    )
