"""A submitted supplementary form asks the dataset's team; its decision tells the lead."""

from __future__ import annotations

from srs_common.contracts import requirements
from srs_notify import domain
from srs_notify.render import render


def test_the_team_is_asked_and_the_lead_told_the_outcome() -> None:
    submitted = requirements.DatasetRequirementSubmitted.model_validate(
        requirements.DatasetRequirementSubmitted.example
    )
    (planned,) = domain.plan_notices(submitted)
    assert planned.researcher_id == domain.data_owner_mailbox("ONS")
    assert planned.notice == "dataset_requirement_to_decide"
    assert planned.context["requirement_name"] == "LS supplementary form"
    returned = requirements.DatasetRequirementReturned.model_validate(
        requirements.DatasetRequirementReturned.example
    )
    (back,) = domain.plan_notices(returned)
    assert back.researcher_id == "res-alice" and back.context["reason"] == returned.reason
    accepted = requirements.DatasetRequirementAccepted.model_validate(
        requirements.DatasetRequirementAccepted.example
    )
    (done,) = domain.plan_notices(accepted)
    assert done.researcher_id == "res-alice" and done.notice == "dataset_requirement_accepted"


def test_the_notices_link_to_the_portal_pages_that_act_on_them() -> None:
    returned = requirements.DatasetRequirementReturned.model_validate(
        requirements.DatasetRequirementReturned.example
    )
    (back,) = domain.plan_notices(returned)
    mail = render(back.notice, back.context, recipient_name="Alice", portal_url="https://p")
    assert "https://p/projects/prj_01J9Z8Q4V6" in mail.text and returned.reason in mail.html
    assert mail.subject == "LS supplementary form returned: prj_01J9Z8Q4V6"
    submitted = requirements.DatasetRequirementSubmitted.model_validate(
        requirements.DatasetRequirementSubmitted.example
    )
    (ask,) = domain.plan_notices(submitted)
    mail = render(ask.notice, ask.context, recipient_name="ONS data owner", portal_url="https://p")
    assert "https://p/data-owner" in mail.text and "ONS Longitudinal Study" in mail.html
