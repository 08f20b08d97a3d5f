"""Notices people are owed: a revoked, suspended or reinstated accreditation; a project
suspended, overdue or resumed; an account enabled (with how to reach the service); and
what awaits a decision by the panel, the checkers, support and data owners. Each is a
real e-mail through a real SMTP server, sent once however often its event arrives."""

from __future__ import annotations

import dataclasses

import pytest

from srs_common.contracts import access, accreditation, clearance, projects
from srs_common.contracts.base import Contract
from srs_common.testing import event_from, example_of

ALICE, BOB, CAROL = "alice@ntu.example", "bob@ucl.example", "carol@lse.example"
PANEL_BOX = "research.accreditation.panel@srs.example"
CHECKERS_BOX = "statistical.support@srs.example"
SUPPORT_BOX = "srs.customer.support@srs.example"
PROJECT = "prj_01J9Z8Q4V6"

# Words that would promise an outputs-only peer reviewer access to data.
DATA_PROMISES = (
    "use the project's data",
    "use its data",
    "book a terminal",
    "SafePod",
    "safe room",
    "account on the project",
    "is enabled",
)


def one_line(text: str) -> str:
    return " ".join(text.split())


def approved_with_team() -> Contract:
    return example_of(
        projects.ProjectApproved,
        members=[
            {"researcher_id": "res-alice", "role": "lead"},
            {"researcher_id": "res-bob", "role": "researcher"},
            {"researcher_id": "res-carol", "role": "peer_reviewer_outputs"},
        ],
    )


async def mail_after(
    client, smtp, deliver, send, payload: Contract, *, before: list[Contract] = ()
) -> None:  # type: ignore[assignment]
    for event in before:
        assert await deliver(client, event, subject=PROJECT)
    await send()
    smtp.received.clear()
    assert await deliver(client, payload, subject="subject-1")
    await send()


# -- the researcher's accreditation -------------------------------------------------------
async def test_a_revoked_researcher_is_told_why_and_what_they_lose(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(
            accreditation.AccreditationRevoked, status="revoked", reason="shared login credentials"
        ),
    )
    (mail,) = smtp.received
    assert mail.recipients == [ALICE]
    assert mail.message["Subject"] == "Your accreditation has been revoked"
    text = one_line(mail.text)
    assert "Reason: shared login credentials" in text
    assert "Revocation is permanent" in text
    assert "your accounts on every project are disabled" in text
    assert "A project you lead is suspended until a new lead researcher is named" in text
    assert "shared login credentials" in mail.html


async def test_a_suspended_researcher_is_told_why_and_what_follows(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(
            accreditation.AccreditationSuspended,
            status="suspended",
            reason="pre-publication output not destroyed",
        ),
    )
    (mail,) = smtp.received
    assert mail.recipients == [ALICE]
    assert mail.message["Subject"] == "Your accreditation has been suspended"
    text = one_line(mail.text)
    assert "Reason: pre-publication output not destroyed" in text
    assert "you cannot use project data, book a place or submit outputs" in text
    assert "You will be told when it is reinstated" in text


async def test_a_reinstated_researcher_is_told_access_returns(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(client, smtp, deliver, send, example_of(accreditation.AccreditationReinstated))
    (mail,) = smtp.received
    assert mail.recipients == [ALICE]
    assert mail.message["Subject"] == "Your accreditation has been reinstated"
    text = one_line(mail.text)
    assert "is current again, valid until 24 November 2029" in text
    assert "Your accounts on active projects are enabled again" in text


# -- the project ------------------------------------------------------------------------
async def test_a_suspended_project_tells_every_member_the_reason(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(projects.ProjectSuspended, reason="ethics approval lapsed"),
        before=[approved_with_team()],
    )
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([ALICE, BOB, CAROL])
    for mail in smtp.received:
        assert mail.message["Subject"] == f"Project suspended: {PROJECT}"
        text = one_line(mail.text)
        assert "Reason: ethics approval lapsed" in text
        assert "the project's data cannot be used" in text
        assert "You will be told when it is resumed" in text
    (lead,) = smtp.to(ALICE)
    assert "As its lead, see on the project's page what is needed" in one_line(lead.text)
    (reviewer,) = smtp.to(CAROL)
    assert not [p for p in DATA_PROMISES if p in reviewer.text]


async def test_members_added_and_removed_later_are_told_accordingly(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(projects.ProjectSuspended),
        before=[
            example_of(projects.ProjectApproved),  # Alice alone
            example_of(projects.ProjectMemberAdded, researcher_id="res-bob", role="researcher"),
            example_of(
                projects.ProjectMemberAdded, researcher_id="res-carol", role="peer_reviewer_data"
            ),
            example_of(projects.ProjectMemberRemoved, researcher_id="res-bob", role="researcher"),
        ],
    )
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([ALICE, CAROL])


async def test_an_overdue_project_tells_the_lead_what_to_do_and_members_when_access_ends(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(projects.ProjectOverdue),
        before=[approved_with_team()],
    )
    # The outputs-only reviewer has no data account to lose: not told.
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([ALICE, BOB])
    (lead,) = smtp.to(ALICE)
    assert lead.message["Subject"] == f"Project overdue: {PROJECT}"
    text = one_line(lead.text)
    assert "passed its expected completion date, 30 June 2027, and is not complete" in text
    assert "complete the project (with its final publications) or ask for an extension" in text
    assert "Unless it is extended, the project's accounts are disabled on 30 July 2027" in text
    (member,) = smtp.to(BOB)
    text = one_line(member.text)
    assert "Its lead has been asked to complete it or ask for an extension" in text
    assert "Unless it is extended, your account on it is disabled on 30 July 2027" in text


async def test_the_lead_named_in_an_overdue_event_is_told_even_if_the_project_is_unknown(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(client, smtp, deliver, send, example_of(projects.ProjectOverdue))
    assert [r.recipients for r in smtp.received] == [[ALICE]]


async def test_a_resumed_project_tells_members_what_they_may_do_again(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(projects.ProjectResumed),
        before=[approved_with_team()],
    )
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([ALICE, BOB, CAROL])
    (member,) = smtp.to(BOB)
    assert member.message["Subject"] == f"Project resumed: {PROJECT}"
    assert "you may use its data, book a place and submit outputs" in one_line(member.text)
    (reviewer,) = smtp.to(CAROL)
    assert "You may view its cleared outputs again" in reviewer.text
    assert not [p for p in DATA_PROMISES if p in reviewer.text + reviewer.html]


# -- an account enabled: how to reach the service -------------------------------------------
async def test_an_enabled_account_says_how_to_reach_the_service(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await mail_after(
        client,
        smtp,
        deliver,
        send,
        example_of(access.AccountEnabled, researcher_id="res-bob", role="researcher"),
        before=[approved_with_team()],
    )
    (mail,) = smtp.received
    assert mail.recipients == [BOB]
    assert mail.message["Subject"] == f"Your account on project {PROJECT} is enabled"
    text = one_line(mail.text)
    assert "you can now use the project's data in the Secure Research Service" in text
    assert (
        f"Your account details and how to sign in: http://localhost:3000/projects/{PROJECT}" in text
    )
    for where in (
        "Titchfield (Hampshire) or Newport (Gwent, South Wales)",
        "Monday to Friday, 09:00 to 16:00 UK time",
        "complete the security declaration, then book a terminal at http://localhost:3000/bookings",
        "a SafePod, at universities across the UK",
        "Assured Organisational Connectivity agreement",
        "only once a home-working request naming you is approved",
    ):
        assert where in text
    assert "SafePod" in mail.html and "Titchfield" in mail.html


async def test_an_outputs_only_reviewer_is_never_promised_data_access(
    client, smtp, deliver, register, send
) -> None:
    await register()
    # Approval first: each member's own e-mail, the reviewer's included.
    await deliver(client, approved_with_team(), subject=PROJECT)
    await deliver(
        client,
        example_of(access.AccountEnabled, researcher_id="res-carol", role="peer_reviewer_outputs"),
        subject=PROJECT,
    )
    await send()
    approval, access_mail = smtp.to(CAROL)
    assert approval.message["Subject"] == f"Project approved: {PROJECT}"
    assert "it gives no access to the project's data" in one_line(approval.text)
    assert "once your account is enabled" not in one_line(approval.text)
    assert access_mail.message["Subject"] == f"You can view cleared outputs of project {PROJECT}"
    text = one_line(access_mail.text)
    assert "view the project's pre-publication outputs once they have been cleared" in text
    assert "This role gives no access to the project's data" in text
    for mail in (approval, access_mail):
        assert not [
            p for p in DATA_PROMISES if p in mail.message["Subject"] + mail.text + mail.html
        ]
    # A member who uses data, by contrast, is told their account comes.
    (lead_approval,) = smtp.to(ALICE)
    assert "once your account is enabled" in one_line(lead_approval.text)


# -- staff and data owners: what awaits their decision ---------------------------------
async def test_the_panel_is_told_of_a_new_accreditation_application(
    client, smtp, deliver, send
) -> None:
    await deliver(client, example_of(accreditation.ApplicationSubmitted), subject="app_1")
    await send()
    (mail,) = smtp.received
    assert mail.recipients == [PANEL_BOX]
    assert mail.message["Subject"] == "Accreditation application to decide: app_1"
    text = one_line(mail.text)
    assert text.startswith("Dear Research Accreditation Panel,")
    assert (
        "application for full accreditation (app_1) awaits the Research Accreditation "
        "Panel's decision" in text
    )
    assert "http://localhost:3000/panel/accreditation-applications/app_1" in text


async def test_the_panel_is_told_of_a_new_project_application_and_asked_priority(
    client, smtp, deliver, send
) -> None:
    await deliver(client, example_of(projects.ProjectSubmitted, priority=True), subject=PROJECT)
    await send()
    (mail,) = smtp.received
    assert mail.recipients == [PANEL_BOX]
    assert mail.message["Subject"] == f"Project application to decide: {PROJECT}"
    text = one_line(mail.text)
    assert "awaits the Research Accreditation Panel's decision" in text
    assert "The applicant asks for priority; it applies only if the panel grants it" in text


async def test_support_is_told_of_a_member_request_by_default(client, smtp, deliver, send) -> None:
    await deliver(client, example_of(projects.ProjectMemberRequested), subject=PROJECT)
    await send()
    (mail,) = smtp.received
    assert mail.recipients == [SUPPORT_BOX]
    assert mail.message["Subject"] == "Project member request to decide: mrq_01J9Z8Q4V6"
    text = one_line(mail.text)
    assert "to add a member to the project" in text and "as researcher awaits your decision" in text
    assert "Nobody's account is enabled until the request is approved" in text
    assert f"http://localhost:3000/projects/{PROJECT}/member-requests/mrq_01J9Z8Q4V6" in text


async def test_the_panel_decides_member_requests_when_the_setting_says_so(
    service_client, smtp, deliver
) -> None:
    from srs_notify.jobs import send_due_notifications
    from srs_notify.mailer import SmtpMailer

    async with service_client(
        "notify", smtp_port=smtp.port, member_requests_decided_by="panel"
    ) as c:
        await deliver(c, example_of(projects.ProjectMemberRequested), subject=PROJECT)
        await send_due_notifications(
            c.runtime.db, c.runtime.settings, SmtpMailer(c.runtime.settings)
        )
    assert [r.recipients for r in smtp.received] == [[PANEL_BOX]]


async def test_checkers_are_told_of_a_new_output_request(client, smtp, deliver, send) -> None:
    await deliver(client, example_of(clearance.OutputSubmitted, priority=True), subject="out_1")
    await send()
    (mail,) = smtp.received
    assert mail.recipients == [CHECKERS_BOX]
    assert mail.message["Subject"] == "Output request to check: out_1"
    text = one_line(mail.text)
    assert text.startswith("Dear Statistical Support Team,")
    assert "A pre-publication output request (out_1) from the project" in text
    assert "awaits checking, with priority" in text
    assert "Its service level ends Wednesday 2 December 2026 at 17:00" in text


async def test_data_owners_and_support_are_told_of_a_home_working_request(
    service_client, smtp, deliver
) -> None:
    from srs_notify.jobs import send_due_notifications
    from srs_notify.mailer import SmtpMailer

    owners = {"ONS": "data.owners@ons.example", "NHS England": "data@nhs.example"}
    async with service_client("notify", smtp_port=smtp.port, data_owner_mailboxes=owners) as c:
        for dataset_id, owner in (
            ("ds-csew-2019", "ONS"),
            ("ds-hes", "NHS England"),
            ("ds-lfs", "ONS"),
        ):
            await deliver(
                c,
                example_of(access.DatasetCatalogued, dataset_id=dataset_id, owner=owner),
                subject=dataset_id,
            )
        await deliver(
            c,
            example_of(
                access.HomeWorkingRequested,
                researcher_ids=["res-alice", "res-bob"],
                dataset_ids=["ds-csew-2019", "ds-hes", "ds-lfs"],
            ),
            subject="hw_1",
        )
        await send_due_notifications(
            c.runtime.db, c.runtime.settings, SmtpMailer(c.runtime.settings)
        )
    assert sorted(r.recipients[0] for r in smtp.received) == sorted(
        [SUPPORT_BOX, "data.owners@ons.example", "data@nhs.example"]
    )
    (ons,) = smtp.to("data.owners@ons.example")
    assert ons.message["Subject"] == "Home-working request to decide: hw_1"
    text = one_line(ons.text)
    assert text.startswith("Dear ONS data owner,")
    assert "The organisation org-ntu asks for home working (hw_1) for 2 researchers" in text
    # Each owner sees its own datasets only.
    assert "It uses your data: ds-csew-2019, ds-lfs." in text and "ds-hes" not in text
    (nhs,) = smtp.to("data@nhs.example")
    assert "It uses your data: ds-hes." in one_line(nhs.text)
    (support,) = smtp.to(SUPPORT_BOX)
    text = one_line(support.text)
    assert "Datasets concerned: ds-csew-2019, ds-hes, ds-lfs." in text
    assert "Their data owners have been asked too" in text
    assert "Requests are answered within two working days" in text


async def test_a_data_owner_with_no_mailbox_is_named_in_the_delivery_log(
    client, smtp, deliver, send, log
) -> None:
    await deliver(
        client, example_of(access.DatasetCatalogued, owner="Home Office"), subject="ds-csew-2019"
    )
    await deliver(client, example_of(access.HomeWorkingRequested), subject="hw_1")
    await send()
    assert [r.recipients for r in smtp.received] == [[SUPPORT_BOX]]
    (owner_row,) = [r for r in await log() if r.researcher_id != "mailbox:support"]
    assert owner_row.status == "pending"
    assert owner_row.last_error == "no mailbox configured for Home Office data owner"


async def test_support_learns_which_datasets_have_no_known_owner(
    client, smtp, deliver, send
) -> None:
    await deliver(client, example_of(access.HomeWorkingRequested), subject="hw_1")
    await send()
    (mail,) = smtp.received
    assert "No data owner is known for ds-csew-2019, so none was told" in one_line(mail.text)


@pytest.mark.parametrize(
    "payload",
    [
        example_of(clearance.OutputSubmitted),
        example_of(accreditation.AccreditationRevoked, reason="breach"),
    ],
    ids=lambda p: p.type,
)
async def test_an_owed_notice_is_sent_once_however_often_its_event_arrives(
    client, smtp, deliver, register, send, payload
) -> None:
    await register()
    event = event_from(payload, subject="subject-1")
    assert await deliver(client, event=event)
    assert not await deliver(client, event=event)
    assert await deliver(client, event=dataclasses.replace(event, source="/srs/replayed"))
    await send()
    await send()
    assert len(smtp.received) == 1
