"""The e-mail that confirms a new account's address: sent to that address, through a real
SMTP server, with the link the access service made; once however often the event arrives;
and a researcher profile registered later is not undone by the sign-up's details."""

from __future__ import annotations

import datetime as dt

from srs_common.contracts.accounts import EmailVerificationRequested
from srs_common.contracts.accreditation import ResearcherRegistered
from srs_common.testing import event_from

NEW = "res-3f9a1c2b7d4e5f60"
LINK = "https://api.srs.example.org/oidc/verify-email?token=Jx3v6cQm0a9Z"


def requested(**overrides) -> EmailVerificationRequested:
    now = dt.datetime.now(dt.UTC)
    return EmailVerificationRequested.model_validate(
        {
            **EmailVerificationRequested.example,
            "researcher_id": NEW,
            "email": "dana@example.ac.uk",
            "verify_url": LINK,
            "occurred_at": now.isoformat(),
            "expires_at": (now + dt.timedelta(hours=48)).isoformat(),
            **overrides,
        }
    )


async def test_a_new_account_is_mailed_its_link_once(client, smtp, deliver, send) -> None:
    event = event_from(requested(), subject=NEW)
    assert await deliver(client, event=event)
    await send()
    (mail,) = smtp.received
    assert mail.recipients == ["dana@example.ac.uk"]
    assert mail.message["Subject"] == "Confirm your e-mail address for the Secure Research Service"
    assert mail.text.splitlines()[0] == "Dear Dana Example,"
    assert LINK in mail.text
    assert f'href="{LINK}"' in mail.html
    # The same event again (a redelivery): no second e-mail.
    smtp.received.clear()
    assert not await deliver(client, event=event)
    await send()
    assert smtp.received == []


async def test_a_second_link_asked_for_is_a_second_mail(client, smtp, deliver, send) -> None:
    assert await deliver(client, requested(), subject=NEW)
    await send()
    smtp.received.clear()
    assert await deliver(client, requested(verify_url=LINK + "2"), subject=NEW)
    await send()
    (mail,) = smtp.received
    assert mail.recipients == ["dana@example.ac.uk"]
    assert LINK + "2" in mail.text


async def test_the_profile_registered_later_is_not_undone_by_the_sign_up(
    client, smtp, deliver, send, register
) -> None:
    """The read model keeps the newest name and address: a sign-up event redelivered after
    the researcher's profile was registered does not bring the sign-up's details back."""
    signed_up = requested()
    await deliver(
        client,
        ResearcherRegistered(
            researcher_id=NEW,
            name="Dana Q. Example",
            email="dana.q@example.ac.uk",
            organisation_id="org-ntu",
            occurred_at=signed_up.occurred_at + dt.timedelta(minutes=5),
        ),
        subject=NEW,
    )
    assert await deliver(client, signed_up, subject=NEW)
    await send()
    (mail,) = smtp.received
    assert mail.text.splitlines()[0] == "Dear Dana Q. Example,"
