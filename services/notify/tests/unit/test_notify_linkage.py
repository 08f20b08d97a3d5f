"""Linkage notices: the lead alone hears the outcome of the IDBR matching for their
project, and a requester alone the outcome of their linked dataset request, with portal
links."""

from __future__ import annotations

from srs_common.contracts import linkage
from srs_notify import domain
from srs_notify.render import render

PORTAL = "https://portal.srs.example"


def example(contract):
    return contract.model_validate(contract.example)


def test_the_lead_alone_hears_the_matching_outcome_and_where_the_result_is() -> None:
    (done,) = domain.plan_notices(example(linkage.LinkageTaskCompleted), "Business investment")
    assert (done.notice, done.researcher_id) == ("linkage_task_completed", "res-alice")
    mail = render(done.notice, done.context, recipient_name="Alice", portal_url=PORTAL)
    assert "412 businesses matched and 9 did not" in mail.text
    assert f"{PORTAL}/projects/prj_01J9Z8Q4V6" in mail.text
    assert "IDBR linked extract (CRN matching)" in mail.html

    (failed,) = domain.plan_notices(example(linkage.LinkageTaskFailed))
    mail = render(failed.notice, failed.context, recipient_name="Alice", portal_url=PORTAL)
    assert "could not carry out" in mail.text and "no business held" in mail.text


def test_the_requester_hears_an_agreement_or_a_refusal_with_the_reasons() -> None:
    agreed = example(linkage.LinkedDatasetDecided)
    (notice,) = domain.plan_notices(agreed)
    assert notice.researcher_id == "res-alice" and notice.about == agreed.request_id
    mail = render(notice.notice, notice.context, recipient_name="Alice", portal_url=PORTAL)
    assert mail.subject.startswith("Linked dataset request agreed")
    assert "ds-linked-ashe-census-2021" in mail.text
    assert f"{PORTAL}/linkage/requests/{agreed.request_id}" in mail.text

    declined = agreed.model_copy(update={"outcome": "declined", "dataset_id": None})
    (notice,) = domain.plan_notices(declined)
    mail = render(notice.notice, notice.context, recipient_name="Alice", portal_url=PORTAL)
    assert "declined" in mail.subject and "catalogue" not in mail.text
