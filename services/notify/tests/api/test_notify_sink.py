"""The local SMTP sink `make run` starts: every message the notifier sends becomes one
file under the mail directory, readable as an e-mail."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import sys
from pathlib import Path

from srs_common.broker import free_port, port_open
from srs_common.contracts import booking


async def test_the_sink_process_writes_each_message_to_its_own_file(
    service_client, deliver, tmp_path: Path
) -> None:
    from srs_common.contracts.accreditation import ResearcherRegistered
    from srs_notify.jobs import send_due_notifications
    from srs_notify.mailer import SmtpMailer

    port = free_port()
    mail_dir = tmp_path / "mail"
    sink = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "srs_notify",
        "smtp-sink",
        "--port",
        str(port),
        "--directory",
        str(mail_dir),
        env={**os.environ, "SRS_NOTIFY_SMTP_HOST": "127.0.0.1"},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while not port_open(port) and asyncio.get_running_loop().time() < deadline:
            assert sink.returncode is None, "the sink exited"
            await asyncio.sleep(0.05)
        async with service_client("notify", smtp_port=port) as client:
            for researcher_id, name in (("res-alice", "Alice Example"), ("res-bob", "Bob")):
                await deliver(
                    client,
                    ResearcherRegistered.model_validate(
                        {
                            **ResearcherRegistered.example,
                            "researcher_id": researcher_id,
                            "name": name,
                            "email": f"{researcher_id}@example.org",
                        }
                    ),
                    subject=researcher_id,
                )
            for booking_id, researcher_id in (("bkg_1", "res-alice"), ("bkg_2", "res-bob")):
                await deliver(
                    client,
                    booking.BookingConfirmed.model_validate(
                        {
                            **booking.BookingConfirmed.example,
                            "booking_id": booking_id,
                            "researcher_id": researcher_id,
                        }
                    ),
                    subject=booking_id,
                )
            runtime = client.runtime
            report = await send_due_notifications(
                runtime.db, runtime.settings, SmtpMailer(runtime.settings)
            )
        assert report.sent == 2
    finally:
        sink.terminate()
        await asyncio.wait_for(sink.wait(), timeout=10)
    files = sorted(mail_dir.glob("*.eml"))
    assert len(files) == 2 and not list(mail_dir.glob(".*"))
    messages = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default) for f in files
    ]
    assert sorted(m["To"] for m in messages) == [
        "Alice Example <res-alice@example.org>",
        "Bob <res-bob@example.org>",
    ]
    assert all(m["Subject"].startswith("Booking confirmed") for m in messages)
