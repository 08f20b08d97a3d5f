"""A notification's delivery: its statuses in the delivery log and the one action on them."""

from __future__ import annotations

from enum import StrEnum

from srs_common.errors import IllegalTransition

# Statuses of a notification in the delivery log.
PENDING = "pending"  # waiting for the sender (first attempt or a retry)
SENT = "sent"  # accepted by the SMTP server
FAILED = "failed"  # will not be sent: refused for good, or no address ever known
OPTED_OUT = "opted_out"  # an optional notice the person turned off
STALE = "stale"  # the event was too old when consumed (history replayed)
WITHDRAWN = "withdrawn"  # no longer true before it went out (a cancelled booking's reminder)
STATUSES = (PENDING, SENT, FAILED, OPTED_OUT, STALE, WITHDRAWN)


class NotificationAction(StrEnum):
    """What support may do to a notification in the delivery log."""

    RETRY = "retry"


TRANSITIONS: dict[NotificationAction, dict[str, str]] = {
    NotificationAction.RETRY: {FAILED: PENDING},
}


def transition(current: str, action: NotificationAction) -> str:
    """The status after ``action``, or :class:`IllegalTransition` naming the current one."""
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise IllegalTransition("notification", current, action)
    return target
