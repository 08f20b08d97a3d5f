"""Notify service settings (env prefix ``SRS_NOTIFY_``)."""

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from srs_common.config import ServiceSettings


class NotifySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SRS_NOTIFY_", extra="ignore")

    service_name: str = "notify"
    database_url: str = "sqlite+aiosqlite:///var/notify.db"
    port: int = 8007

    # SMTP delivery. The defaults point at the local sink that `make run` starts
    # (`python -m srs_notify smtp-sink`), which writes every message under var/mail/.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    # "none": plain SMTP (the local sink); "starttls": upgrade after connecting (587);
    # "tls": implicit TLS from the first byte (465).
    smtp_tls: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    mail_from: str = "SRS notifications <no-reply@srs.example>"
    # Where e-mails send people to read details (they never carry the details themselves).
    portal_url: str = "http://localhost:3000"

    # The sender job: how often it looks for due mail, and how it retries.
    send_poll_seconds: float = Field(default=1.0, gt=0)
    send_idle_poll_seconds: float = Field(default=5.0, gt=0)
    send_batch_size: int = Field(default=50, ge=1, le=500)
    # A row a sender took but never marked (the process died mid-send) is retried after this.
    send_claim_seconds: float = Field(default=300.0, gt=0)
    send_retry_base_seconds: float = Field(default=30.0, gt=0)
    send_retry_max_seconds: float = Field(default=1800.0, gt=0)
    # Attempts to wait for a recipient's e-mail address (their researcher.registered event
    # arrives on another topic and may come later) before the notification fails.
    unknown_recipient_max_attempts: int = Field(default=10, ge=1)

    # Events older than this when consumed (a new consumer group replaying history) are
    # logged as stale, not mailed: nobody wants last year's news today.
    stale_after_hours: float = Field(default=72.0, gt=0)
    # Staff mailboxes for what awaits a decision: the Research Accreditation Panel (new
    # accreditation and project applications), the Statistical Support Team's output
    # checkers (new output requests) and support staff (member and home-working requests).
    panel_mailbox: str = "research.accreditation.panel@srs.example"
    checkers_mailbox: str = "statistical.support@srs.example"
    support_mailbox: str = "srs.customer.support@srs.example"
    # Who decides a request to add a member to an approved project (the projects service's
    # setting of the same name): their mailbox is told of each request.
    member_requests_decided_by: Literal["support", "panel"] = "support"
    # A data owner (the catalogue's ``owner`` of a dataset) -> the mailbox that decides
    # home-working requests on its data. An owner with no mailbox here is not guessed at:
    # the notice waits, then fails in the delivery log naming the owner.
    data_owner_mailboxes: dict[str, str] = Field(default_factory=dict)

    # The day-before booking reminder job.
    reminder_poll_seconds: float = Field(default=300.0, gt=0)
