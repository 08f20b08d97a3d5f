"""A case-study nomination tells the lead only, with the staff's reason; the lead's
answer tells support, who nominated it, whether the register now shows it."""

from __future__ import annotations

from srs_common.contracts import case_studies
from srs_notify import domain
from srs_notify.render import render


def test_a_case_study_nomination_asks_the_lead_alone() -> None:
    nominated = case_studies.ProjectCaseStudyNominated.model_validate(
        case_studies.ProjectCaseStudyNominated.example
    )
    (planned,) = domain.plan_notices(nominated)
    assert planned.researcher_id == "res-alice"
    assert planned.notice == "project_case_study_nominated"
    assert planned.context["reason"] == nominated.reason


def test_the_leads_answer_goes_to_support_in_words() -> None:
    for consent, words in ((True, "consented"), (False, "declined")):
        answered = case_studies.ProjectCaseStudyAnswered.model_validate(
            {**case_studies.ProjectCaseStudyAnswered.example, "consent": consent}
        )
        (planned,) = domain.plan_notices(answered)
        assert planned.researcher_id == domain.SUPPORT
        assert planned.notice == "case_study_answered"
        assert planned.context["consent"] is consent
        mail = render(
            planned.notice, planned.context, recipient_name="Support", portal_url="https://p"
        )
        assert words in mail.subject and words in mail.text and words in mail.html
        assert "https://p/support/projects/prj_01J9Z8Q4V6" in mail.text
