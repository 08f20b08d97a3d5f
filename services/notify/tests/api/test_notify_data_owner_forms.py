"""A project's supplementary form for a dataset (the Longitudinal Study's) reaches the
mailbox of the team named to accept it, over a real SMTP server, and nobody else."""

from __future__ import annotations

from srs_common.contracts import requirements


async def test_a_submitted_supplementary_form_goes_to_the_team_that_accepts_it(
    service_client, smtp, deliver
) -> None:
    from srs_notify.jobs import send_due_notifications
    from srs_notify.mailer import SmtpMailer

    owners = {"ONS": "ls.team@ons.example", "NHS England": "data@nhs.example"}
    async with service_client("notify", smtp_port=smtp.port, data_owner_mailboxes=owners) as c:
        await deliver(
            c,
            requirements.DatasetRequirementSubmitted.model_validate(
                requirements.DatasetRequirementSubmitted.example
            ),
            subject="req_1",
        )
        report = await send_due_notifications(
            c.runtime.db, c.runtime.settings, SmtpMailer(c.runtime.settings)
        )
    assert report.sent == 1
    (mail,) = smtp.received
    assert mail.recipients == ["ls.team@ons.example"]  # only the team named by accepted_by
    assert "Dear ONS data owner," in mail.text
    assert "LS supplementary form" in mail.text and "Social mobility" in mail.text
