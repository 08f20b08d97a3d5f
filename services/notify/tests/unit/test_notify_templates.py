"""Every template, rendered with its contract's example payload: a subject, a text and
an HTML body that greet the recipient, name what it is about, escape what they quote and
carry nothing about anyone else."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import types

import pytest

from srs_common.contracts import REGISTRY, booking
from srs_notify import domain
from srs_notify.render import TEMPLATES_DIR, RenderedMail, build_message, render

PORTAL = "https://portal.srs.example"


# What the read models would know of the example project and dataset.
KNOWN = domain.Known(
    project_title="Burglary security effectiveness",
    lead_researcher_id="res-alice",
    members={"res-alice": "lead", "res-bob": "peer_reviewer_outputs"},
    dataset_owners={"ds-csew-2019": "ONS"},
)


def example_notices() -> list[domain.PlannedNotice]:
    planned = []
    for notice in domain.NOTICES.values():
        if notice.event_type is None:
            continue
        contract = REGISTRY[notice.event_type]
        planned.extend(domain.plan_notices(contract.model_validate(contract.example), known=KNOWN))
    confirmed = booking.BookingConfirmed.model_validate(booking.BookingConfirmed.example)
    row = types.SimpleNamespace(
        id=confirmed.booking_id,
        researcher_id=confirmed.researcher_id,
        project_id=confirmed.project_id,
        site_id=confirmed.site_id,
        place=confirmed.place,
        starts_at=confirmed.starts_at,
        ends_at=confirmed.ends_at,
    )
    planned.append(domain.booking_reminder(row, None))
    return planned


def test_one_text_and_one_html_template_per_notice_and_no_strays() -> None:
    files = {p.name for p in TEMPLATES_DIR.iterdir() if not p.name.startswith("_")}
    expected = {f"{n}.{ext}" for n in domain.NOTICES for ext in ("txt", "html")}
    assert files == expected


def test_examples_cover_every_notice() -> None:
    assert {p.notice for p in example_notices()} == set(domain.NOTICES)


@pytest.mark.parametrize(
    "planned", example_notices(), ids=lambda p: f"{p.notice}-{p.researcher_id}"
)
def test_every_template_renders_with_the_contract_example(planned) -> None:
    mail = render(
        planned.notice, planned.context, recipient_name="Alice Example", portal_url=PORTAL
    )
    assert mail.subject and "\n" not in mail.subject and "{" not in mail.subject
    assert mail.text.startswith("Dear Alice Example,\n")
    assert "<p>Dear Alice Example,</p>" in mail.html
    for body in (mail.text, mail.html):
        assert planned.about in body
        assert PORTAL in body
        assert not re.search(r"\{\{|\{%|None", body)
        # Nobody else: the example payloads name res-bob as a fellow member.
        assert "res-bob" not in body and "res-alice" not in body
    optional = domain.NOTICES[planned.notice].optional
    assert ("notification preferences" in mail.text) == optional
    message = build_message(
        mail,
        to_name="Alice Example",
        to_address="alice@ntu.example",
        sender="SRS <no-reply@srs.example>",
        message_key="n-1.e-1",
    )
    assert message["To"] == "Alice Example <alice@ntu.example>"
    assert message["Message-ID"] == "<n-1.e-1@srs-notify.invalid>"


def test_times_are_shown_in_uk_time() -> None:
    (planned,) = domain.plan_notices(
        booking.BookingConfirmed.model_validate(
            {
                **booking.BookingConfirmed.example,
                "starts_at": "2026-07-01T08:00:00Z",
                "ends_at": "2026-07-01T15:00:00Z",
            }
        )
    )
    mail = render(planned.notice, planned.context, recipient_name="A", portal_url=PORTAL)
    assert "Wednesday 1 July 2026 at 09:00 to 16:00" in mail.text
    assert mail.subject == "Booking confirmed: Titchfield, Wednesday 1 July 2026 at 09:00"


def test_quoted_text_is_escaped_in_html_and_kept_verbatim_in_text() -> None:
    (planned,) = domain.plan_notices(
        booking.BookingCancelled.model_validate(
            {
                **booking.BookingCancelled.example,
                "reason": "<b>fire</b> & drill",
                "occurred_at": dt.datetime.now(dt.UTC),
            }
        )
    )
    mail = render(planned.notice, planned.context, recipient_name="<Eve>", portal_url=PORTAL)
    assert "&lt;b&gt;fire&lt;/b&gt; &amp; drill" in mail.html and "<b>fire" not in mail.html
    assert "&lt;Eve&gt;" in mail.html
    assert "Reason: <b>fire</b> & drill" in mail.text


def test_an_approval_queued_before_the_role_wording_still_renders_by_role() -> None:
    # Rows queued before ``data_access`` joined the context carry only the role.
    old = {
        "project_id": "prj_1",
        "project_title": None,
        "expected_end_date": "2027-06-30",
        "conditions": None,
    }
    reviewer = render(
        "project_approved",
        {**old, "role": "peer_reviewer_outputs"},
        recipient_name="Carol",
        portal_url=PORTAL,
    )
    assert "no access to the project's data" in " ".join(reviewer.text.split())
    assert "account" not in reviewer.text
    lead = render(
        "project_approved", {**old, "role": "lead"}, recipient_name="Alice", portal_url=PORTAL
    )
    assert "once your account is enabled" in " ".join(lead.text.split())


def test_every_notice_is_in_the_reference_table() -> None:
    """docs/reference/notify.md lists every e-mail with its event and recipients."""
    from pathlib import Path

    reference = Path(__file__).parents[4] / "docs" / "reference" / "notify.md"
    text = reference.read_text()
    missing = [key for key in domain.NOTICES if f"| {key} |" not in text]
    assert missing == [], f"add these notices to {reference.name}: {missing}"


@pytest.mark.parametrize(
    ("name", "subject", "text"),
    [
        ("Alice Example", "Booking confirmed: Titchfield", "Dear Alice Example,\n\nSee you.\n"),
        (
            "Zoë Brontë-Ñúñez",
            "Réservation confirmée — “Zoë’s” project " + "long " * 20,
            "Dear Zoë,\n\nA line of unicode ✓ — “quotes” " * 12 + "\n" + "x" * 200 + "\n.\n",
        ),
    ],
    ids=["ascii", "unicode"],
)
def test_a_message_reads_to_a_mail_client_as_it_was_written(name, subject, text) -> None:
    """What a mail client parses from the bytes sent over SMTP: the sender, the recipient's
    name and address, the subject, both bodies; 7-bit lines of at most 78 characters, so
    any relay carries it."""
    html = "<p>" + text.replace("\n", "<br>") + "</p>\n"
    mail = RenderedMail(subject=subject, text=text, html=html)
    message = build_message(
        mail,
        to_name=name,
        to_address="zoe@ntu.example",
        sender="SRS Notices <no-reply@srs.example>",
        message_key="n-7.e-9",
    )
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))

    assert raw.isascii()
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["From"].addresses[0].addr_spec == "no-reply@srs.example"
    assert received["To"].addresses[0].display_name == name
    assert received["To"].addresses[0].addr_spec == "zoe@ntu.example"
    assert received["Subject"] == subject
    assert received["Message-ID"] == "<n-7.e-9@srs-notify.invalid>"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received.get_content_type() == "multipart/alternative"
    plain, rich = received.get_body(("plain",)), received.get_body(("html",))
    assert plain is not None and rich is not None
    assert plain.get_content().replace("\r\n", "\n") == text
    assert rich.get_content().replace("\r\n", "\n") == html
