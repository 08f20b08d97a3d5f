"""What to tell whom: the notice catalogue, recipients, template contexts, retry and
reminder timing. Pure functions, no I/O.

Privacy by construction: a template never sees an event payload, only the context built
here for one recipient, which holds nothing about other people (no other member's id,
name or address, no "cancelled by") and nothing of research data or output contents
(an output rejection's reason stays in the service: the e-mail says where to read it).
"""

from __future__ import annotations

from srs_notify.domain.booking_notices import booking_reminder
from srs_notify.domain.catalogue import (
    BOOKING_REMINDER,
    NOTICE_BY_EVENT_TYPE,
    NOTICES,
    OPTIONAL_NOTICES,
    RESEARCHER_NOTICES,
    NoticeKind,
)
from srs_notify.domain.delivery import (
    FAILED,
    OPTED_OUT,
    PENDING,
    SENT,
    STALE,
    STATUSES,
    WITHDRAWN,
    NotificationAction,
    transition,
)
from srs_notify.domain.planning import plan_notices
from srs_notify.domain.project_notices import lead_of
from srs_notify.domain.recipients import (
    CHECKERS,
    DATA_OWNER,
    MAILBOX,
    MAILBOX_NAMES,
    PANEL,
    SUPPORT,
    Known,
    PlannedNotice,
    data_owner_mailbox,
    is_mailbox,
    mailbox_name,
)
from srs_notify.domain.timing import LONDON, is_stale, reminder_window, retry_delay, sends_to

__all__ = [
    "BOOKING_REMINDER",
    "CHECKERS",
    "DATA_OWNER",
    "FAILED",
    "LONDON",
    "MAILBOX",
    "MAILBOX_NAMES",
    "NOTICES",
    "NOTICE_BY_EVENT_TYPE",
    "OPTED_OUT",
    "OPTIONAL_NOTICES",
    "PANEL",
    "PENDING",
    "RESEARCHER_NOTICES",
    "SENT",
    "STALE",
    "STATUSES",
    "SUPPORT",
    "WITHDRAWN",
    "Known",
    "NoticeKind",
    "NotificationAction",
    "PlannedNotice",
    "booking_reminder",
    "data_owner_mailbox",
    "is_mailbox",
    "is_stale",
    "lead_of",
    "mailbox_name",
    "plan_notices",
    "reminder_window",
    "retry_delay",
    "sends_to",
    "transition",
]
