"""Who is told: researchers, and staff and data-owner mailboxes; what an e-mail may say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Staff and data-owner recipients: mailboxes, not researchers. The recipient key stored in
# the delivery log's ``researcher_id`` column starts with MAILBOX; the sender finds the
# address in settings (``<name>_mailbox``, ``data_owner_mailboxes``).
MAILBOX = "mailbox:"
PANEL = f"{MAILBOX}panel"
CHECKERS = f"{MAILBOX}checkers"
SUPPORT = f"{MAILBOX}support"
DATA_OWNER = f"{MAILBOX}data_owner:"
MAILBOX_NAMES = {
    PANEL: "Research Accreditation Panel",
    CHECKERS: "Statistical Support Team",
    SUPPORT: "Research Support Helpdesk",
}


def data_owner_mailbox(owner: str) -> str:
    return f"{DATA_OWNER}{owner}"


def is_mailbox(recipient: str) -> bool:
    return recipient.startswith(MAILBOX)


def mailbox_name(recipient: str) -> str:
    """How a staff or data-owner mailbox is greeted."""
    if recipient.startswith(DATA_OWNER):
        return f"{recipient.removeprefix(DATA_OWNER)} data owner"
    return MAILBOX_NAMES.get(recipient, recipient.removeprefix(MAILBOX))


@dataclass(frozen=True)
class Known:
    """What the read models know that an event does not carry: a project's title, lead
    and members (researcher -> role), datasets' owners, and which mailbox decides member
    requests (a setting)."""

    project_title: str | None = None
    lead_researcher_id: str | None = None
    members: dict[str, str] = field(default_factory=dict)
    dataset_owners: dict[str, str] = field(default_factory=dict)
    member_requests_to: str = SUPPORT


@dataclass(frozen=True)
class PlannedNotice:
    """An e-mail to send: which notice, to whom, about what, with what it may say."""

    notice: str
    researcher_id: str
    about: str | None
    context: dict[str, Any] = field(default_factory=dict)
