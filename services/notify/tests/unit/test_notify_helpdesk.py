"""Helpdesk notices: the researcher hears of staff's replies and resolutions; the team that
answers the request (support, or the Statistical Support Team for output questions) hears
of new requests and of the researcher's replies; the e-mails link to the portal's pages."""

from __future__ import annotations

import pytest

from srs_common.contracts import helpdesk
from srs_common.contracts.base import Contract
from srs_notify import domain
from srs_notify.render import render

PORTAL = "https://portal.srs.example"


def planned(contract: type[Contract], **fields: str) -> list[domain.PlannedNotice]:
    return domain.plan_notices(contract.model_validate({**contract.example, **fields}))


@pytest.mark.parametrize(
    ("team", "mailbox"), [("support", domain.SUPPORT), ("statistical_support", domain.CHECKERS)]
)
def test_new_requests_and_researchers_replies_go_to_the_answering_team(team, mailbox) -> None:
    for contract in (helpdesk.HelpdeskRequestOpened, helpdesk.HelpdeskResearcherReplied):
        [notice] = planned(contract, team=team)
        assert notice.researcher_id == mailbox
        mail = render(notice.notice, notice.context, recipient_name="Team", portal_url=PORTAL)
        assert f"{PORTAL}/support/helpdesk/hdr_1" in mail.text


def test_staff_replies_and_resolutions_go_to_the_researcher_naming_the_team() -> None:
    for contract in (helpdesk.HelpdeskStaffReplied, helpdesk.HelpdeskRequestResolved):
        [notice] = planned(contract, team="statistical_support")
        assert notice.researcher_id == "res-alice"
        mail = render(notice.notice, notice.context, recipient_name="Alice", portal_url=PORTAL)
        assert "The Statistical Support Team" in mail.text
        assert f"{PORTAL}/help/hdr_1" in mail.text


def test_a_subject_over_several_lines_stays_on_one_line_of_the_e_mail_subject() -> None:
    [notice] = planned(helpdesk.HelpdeskRequestOpened, subject="Line one\nBcc: eve@x.example")
    mail = render(notice.notice, notice.context, recipient_name="Team", portal_url=PORTAL)
    assert "\n" not in mail.subject
    assert mail.subject == "Helpdesk request to answer: Line one Bcc: eve@x.example"
