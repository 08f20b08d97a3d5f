"""Events in, e-mails out, over a real SMTP server: the right e-mail to the right
people and nobody else, once, whatever the bus or the SMTP server does."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from srs_common.contracts import (
    access,
    accounts,
    accreditation,
    booking,
    case_studies,
    clearance,
    helpdesk,
    ingestion,
    linkage,
    projects,
    requirements,
)
from srs_common.contracts.base import Contract
from srs_common.testing import event_from, example_of
from srs_notify import domain
from srs_notify.jobs import sender_job

ALICE, BOB = "alice@ntu.example", "bob@ucl.example"
PANEL, CHECKERS, SUPPORT = domain.PANEL, domain.CHECKERS, domain.SUPPORT
PANEL_BOX = "research.accreditation.panel@srs.example"
CHECKERS_BOX = "statistical.support@srs.example"
SUPPORT_BOX = "srs.customer.support@srs.example"
BOTH = {"res-alice": ALICE, "res-bob": BOB}
JUST_ALICE = {"res-alice": ALICE}


# Every event the notifier mails about, with who must receive it (everyone else,
# including the registered bystander Carol, must receive nothing).
CASES: list[tuple[Contract, dict[str, str]]] = [
    (example_of(accreditation.AccreditationGranted), JUST_ALICE),
    (example_of(accreditation.ApplicationRejected), JUST_ALICE),
    (example_of(accreditation.AccreditationExpiring), JUST_ALICE),
    (example_of(accreditation.AccreditationExpired), JUST_ALICE),
    (example_of(accreditation.AccreditationSuspended, reason="destruction overdue"), JUST_ALICE),
    (
        example_of(
            projects.ProjectApproved,
            members=[
                {"researcher_id": "res-alice", "role": "lead"},
                {"researcher_id": "res-bob", "role": "researcher"},
            ],
        ),
        BOTH,
    ),
    (example_of(projects.ProjectRejected), JUST_ALICE),
    (example_of(projects.ProjectInformationRequested), JUST_ALICE),
    (example_of(projects.ProjectCompletionDue), JUST_ALICE),
    (example_of(projects.ProjectCompleted), BOTH),
    (example_of(booking.BookingConfirmed), JUST_ALICE),
    (example_of(booking.BookingCancelled), JUST_ALICE),
    (example_of(clearance.OutputChecked), JUST_ALICE),
    (example_of(clearance.OutputClarificationRequested), JUST_ALICE),
    (example_of(clearance.OutputApproved), JUST_ALICE),
    (example_of(clearance.OutputRejected), JUST_ALICE),
    (example_of(clearance.OutputDestructionRequired), JUST_ALICE),
    (example_of(clearance.OutputOverdue), JUST_ALICE),
    (example_of(access.HomeWorkingApproved, researcher_ids=["res-alice", "res-bob"]), BOTH),
    (example_of(access.HomeWorkingRefused, researcher_ids=["res-alice", "res-bob"]), BOTH),
    (example_of(accreditation.AccreditationRevoked, reason="data breach"), JUST_ALICE),
    (example_of(accreditation.AccreditationReinstated), JUST_ALICE),
    (example_of(projects.ProjectSuspended), BOTH),
    (example_of(projects.ProjectResumed), BOTH),
    (example_of(projects.ProjectOverdue), BOTH),
    (example_of(access.AccountEnabled), JUST_ALICE),
    # A new account's confirmation link, to the address it confirms.
    (
        example_of(
            accounts.EmailVerificationRequested,
            researcher_id="res-alice",
            name="Alice Example",
            email=ALICE,
        ),
        JUST_ALICE,
    ),
    # What awaits staff's decision goes to their mailboxes (the settings' defaults).
    (example_of(accreditation.ApplicationSubmitted), {PANEL: PANEL_BOX}),
    (example_of(projects.ProjectSubmitted), {PANEL: PANEL_BOX}),
    (example_of(projects.ProjectMemberRequested), {SUPPORT: SUPPORT_BOX}),
    (example_of(clearance.OutputSubmitted), {CHECKERS: CHECKERS_BOX}),
    (example_of(access.HomeWorkingRequested), {SUPPORT: SUPPORT_BOX}),
    (example_of(helpdesk.HelpdeskRequestOpened), {SUPPORT: SUPPORT_BOX}),
    (
        example_of(helpdesk.HelpdeskResearcherReplied, team="statistical_support"),
        {CHECKERS: CHECKERS_BOX},
    ),
    (example_of(helpdesk.HelpdeskStaffReplied), JUST_ALICE),
    (example_of(helpdesk.HelpdeskRequestResolved), JUST_ALICE),
    # The lead hears the dataset's team's answer on a supplementary form, the outcome of
    # the SRS team's linkage work and a case-study nomination; the one who asked, the fate
    # of their ingestion or linked dataset request.
    (example_of(requirements.DatasetRequirementAccepted), JUST_ALICE),
    (example_of(requirements.DatasetRequirementReturned), JUST_ALICE),
    (example_of(linkage.LinkageTaskCompleted), JUST_ALICE),
    (example_of(linkage.LinkageTaskFailed), JUST_ALICE),
    (example_of(linkage.LinkedDatasetDecided), JUST_ALICE),
    (example_of(ingestion.IngestionRefused), JUST_ALICE),
    (example_of(ingestion.IngestionTransferred), JUST_ALICE),
    (example_of(case_studies.ProjectCaseStudyNominated), JUST_ALICE),
    # Support, who nominated it, hears the lead's answer.
    (example_of(case_studies.ProjectCaseStudyAnswered), {SUPPORT: SUPPORT_BOX}),
]
# Mailed to the dataset's team, whose mailbox is a setting: test_notify_data_owner_forms.py.
TO_DATA_OWNERS = {requirements.DatasetRequirementSubmitted.type}

# Events the notifier must have seen before some cases: the project's members (for a
# suspension, an overdue date, a resumption).
BEFORE: dict[str, list[Contract]] = {
    t: [
        example_of(
            projects.ProjectApproved,
            members=[
                {"researcher_id": "res-alice", "role": "lead"},
                {"researcher_id": "res-bob", "role": "researcher"},
            ],
        )
    ]
    for t in (
        projects.ProjectSuspended.type,
        projects.ProjectResumed.type,
        projects.ProjectOverdue.type,
    )
}
NAMES = {
    "res-alice": "Alice Example",
    "res-bob": "Bob Sample",
    PANEL: "Research Accreditation Panel",
    CHECKERS: "Statistical Support Team",
    SUPPORT: "Research Support Helpdesk",
}


def test_every_mailed_event_type_has_a_case() -> None:
    assert {p.type for p, _ in CASES} | TO_DATA_OWNERS == set(domain.NOTICE_BY_EVENT_TYPE)


@pytest.mark.parametrize("payload,expected", CASES, ids=[p.type for p, _ in CASES])
async def test_each_event_mails_the_people_it_concerns_and_nobody_else(
    client, smtp, deliver, register, send, log, payload, expected
) -> None:
    await register()
    for before in BEFORE.get(payload.type, []):
        assert await deliver(client, before, subject="subject-1")
    await send()
    smtp.received.clear()
    assert await deliver(client, payload, subject="subject-1")
    report = await send()

    assert report.sent == len(expected)
    assert sorted(r.recipients[0] for r in smtp.received) == sorted(expected.values())
    assert all(len(r.recipients) == 1 for r in smtp.received)
    notice = domain.NOTICE_BY_EVENT_TYPE[payload.type].key
    for row in [r for r in await log() if r.event_type == payload.type]:
        assert (row.notice, row.status, row.email) == (notice, "sent", expected[row.researcher_id])
        (mail,) = smtp.to(row.email)
        assert mail.message["Subject"] == row.subject
        name = NAMES[row.researcher_id]
        assert f"Dear {name}," in mail.text and f"Dear {name}," in mail.html
        assert row.about in mail.text  # names what it is about
        assert mail.message.get_content_type() == "multipart/alternative"


async def test_a_redelivered_event_sends_nothing_more(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    event = event_from(example_of(booking.BookingCancelled), subject="bkg_1")
    assert await deliver(client, event=event)
    assert not await deliver(client, event=event)  # the inbox drops it
    # The same event reaching us under another source passes the inbox; the delivery
    # log's unique key (event, recipient, notice) still keeps the second e-mail out.
    again = dataclasses.replace(event, source="/srs/booking-replayed")
    assert await deliver(client, event=again)
    await send()
    await send()
    assert len(smtp.received) == 1
    assert [r.status for r in await log()] == ["sent"]


async def test_an_smtp_outage_delays_but_loses_nothing(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    await smtp.stop()
    await deliver(client, example_of(booking.BookingConfirmed), subject="bkg_1")
    await deliver(client, example_of(projects.ProjectCompleted), subject="prj_1")

    report = await send()
    assert report.sent == 0 and report.server_unreachable
    rows = await log()
    assert {r.status for r in rows} == {"pending"}
    # the first mail was tried; the two after it were not (the server had gone): their
    # attempt is not counted
    assert sorted(r.attempts for r in rows) == [0, 0, 1]
    waiting = next(r for r in rows if r.attempts == 1)
    assert "unreachable" in waiting.last_error
    assert waiting.next_attempt_at > dt.datetime.now(dt.UTC)  # backing off, not hammering
    assert (await send()).sent == 0  # nothing is due again yet: backoff

    await smtp.start()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    assert (await send(now=later)).sent == 3
    assert sorted(r.recipients[0] for r in smtp.received) == sorted([ALICE, ALICE, BOB])
    assert {r.status for r in await log()} == {"sent"}


async def test_an_address_refused_for_good_fails_without_retrying(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    smtp.refused.add(BOB)
    await deliver(client, example_of(projects.ProjectCompleted), subject="prj_1")
    report = await send()
    assert (report.sent, report.failed) == (1, 1)
    by_person = {r.researcher_id: r for r in await log()}
    assert by_person["res-alice"].status == "sent"
    bob = by_person["res-bob"]
    assert bob.status == "failed" and "550" in bob.last_error and bob.next_attempt_at is None
    assert (await send(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))).sent == 0
    assert smtp.to(BOB) == []


async def test_mail_waits_for_an_address_that_arrives_later(
    client, smtp, deliver, register, send, log
) -> None:
    # The booking event overtakes researcher.registered (another topic).
    await deliver(client, example_of(booking.BookingConfirmed), subject="bkg_1")
    report = await send()
    assert report.retrying == 1 and smtp.received == []
    (row,) = await log()
    assert row.status == "pending" and "no e-mail address known" in row.last_error

    await register("res-alice")
    await send(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert [r.recipients for r in smtp.received] == [[ALICE]]


async def test_an_address_never_known_fails_after_the_set_attempts(
    service_client, smtp, deliver, send
) -> None:
    async with service_client("notify", smtp_port=smtp.port, unknown_recipient_max_attempts=2) as c:
        await deliver(c, example_of(booking.BookingConfirmed), subject="bkg_1")
        runtime = c.runtime
        from srs_notify.jobs import send_due_notifications
        from srs_notify.mailer import SmtpMailer

        mailer = SmtpMailer(runtime.settings)
        now = dt.datetime.now(dt.UTC)
        first = await send_due_notifications(runtime.db, runtime.settings, mailer, now)
        second = await send_due_notifications(
            runtime.db, runtime.settings, mailer, now + dt.timedelta(days=1)
        )
        assert (first.retrying, second.failed) == (1, 1)


async def test_a_changed_address_is_used_from_then_on(
    client, smtp, deliver, register, send
) -> None:
    await register("res-alice")
    await deliver(
        client,
        accreditation.ResearcherUpdated(
            researcher_id="res-alice",
            name="Alice Newname",
            email="alice@new.example",
            organisation_id="org-new",
            occurred_at=dt.datetime.now(dt.UTC),
        ),
        subject="res-alice",
    )
    # An older profile event arriving late changes nothing.
    await deliver(
        client,
        accreditation.ResearcherUpdated(
            researcher_id="res-alice",
            name="Alice Old",
            email="alice@old.example",
            organisation_id="org-ntu",
            occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=9),
        ),
        subject="res-alice",
    )
    await deliver(client, example_of(accreditation.AccreditationGranted), subject="acc_1")
    await send()
    (mail,) = smtp.received
    assert mail.recipients == ["alice@new.example"] and "Dear Alice Newname," in mail.text


async def test_events_older_than_the_stale_limit_are_logged_not_mailed(
    client, smtp, deliver, register, send, log
) -> None:
    await register()
    old = dataclasses.replace(
        event_from(example_of(accreditation.AccreditationGranted), subject="acc_1"),
        time=dt.datetime.now(dt.UTC) - dt.timedelta(days=30),
    )
    await deliver(client, event=old)
    await send()
    assert smtp.received == []
    assert [r.status for r in await log()] == ["stale"]


async def test_no_mail_carries_another_persons_details(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await deliver(
        client,
        example_of(
            projects.ProjectApproved,
            members=[
                {"researcher_id": "res-alice", "role": "lead"},
                {"researcher_id": "res-bob", "role": "researcher"},
            ],
        ),
        subject="prj_1",
    )
    await deliver(client, example_of(projects.ProjectCompleted), subject="prj_1")
    await deliver(
        client, example_of(booking.BookingCancelled, cancelled_by="staff-dave"), subject="bkg_1"
    )
    await send()
    assert len(smtp.received) == 5
    for mail in smtp.to(ALICE):
        assert not {"Bob", BOB, "res-bob", "staff-dave"} & set(mail.everything.split())
        assert BOB not in mail.everything and "res-bob" not in mail.everything
    for mail in smtp.to(BOB):
        assert "Alice" not in mail.everything and ALICE not in mail.everything
        assert "res-alice" not in mail.everything
    # ...and nothing the booking service only knows: who cancelled.
    assert all("staff-dave" not in m.everything for m in smtp.received)


async def test_an_output_rejection_mail_leaves_the_reasons_in_the_service(
    client, smtp, deliver, register, send
) -> None:
    await register()
    await deliver(
        client,
        example_of(clearance.OutputRejected, reason="table 3 row 2 has a count of 4"),
        subject="out_1",
    )
    await send()
    (mail,) = smtp.received
    assert "count of 4" not in mail.everything
    assert "/outputs/out_1" in mail.text


async def test_the_sender_loop_delivers_as_soon_as_an_event_commits(
    client, smtp, deliver, register
) -> None:
    import asyncio

    await register()
    task = asyncio.create_task(sender_job(client.runtime))
    try:
        await deliver(client, example_of(booking.BookingConfirmed), subject="bkg_1")
        await asyncio.wait_for(smtp.arrived.wait(), timeout=10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    assert [r.recipients for r in smtp.received] == [[ALICE]]


async def test_two_senders_at_once_send_each_mail_once(
    client, smtp, deliver, register, send, log
) -> None:
    import asyncio

    await register()
    for n in range(4):
        await deliver(
            client, example_of(booking.BookingConfirmed, booking_id=f"bkg_{n}"), subject=f"bkg_{n}"
        )
    await deliver(client, example_of(projects.ProjectCompleted), subject="prj_1")
    reports = await asyncio.gather(send(), send())
    assert sum(r.sent for r in reports) == 6
    assert len(smtp.received) == 6
    assert {r.status for r in await log()} == {"sent"}
