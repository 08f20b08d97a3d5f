"""Case-study events published by the projects service on ``srs.projects``: staff
nominate a completed project as a case study and its lead consents or declines; only a
consenting project is shown as one on the public register.

Kept beside ``projects`` (same topic, same publisher) so neither module outgrows a page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from srs_common.contracts.base import Contract
from srs_common.contracts.projects import TOPIC

_PROJECT = {
    "project_id": "prj_01J9Z8Q4V6",
    "organisation_id": "org-ntu",
    "occurred_at": "2026-11-25T10:00:00Z",
}


class ProjectCaseStudyNominated(Contract):
    """Staff nominated a completed project as a case study, with a reason: the lead is
    asked to consent."""

    type: ClassVar[str] = "srs.project.case_study_nominated.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    reason: str
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "reason": "Innovative linkage of survey and administrative data.",
    }


class ProjectCaseStudyAnswered(Contract):
    """The lead consented to (``consent`` true) or declined the case study; only a
    consenting project is shown as a case study on the public register."""

    type: ClassVar[str] = "srs.project.case_study_answered.v1"
    topic: ClassVar[str] = TOPIC

    project_id: str
    organisation_id: str
    lead_researcher_id: str
    consent: bool
    occurred_at: dt.datetime

    example: ClassVar[dict[str, Any]] = {
        **_PROJECT,
        "lead_researcher_id": "res-alice",
        "consent": True,
    }
