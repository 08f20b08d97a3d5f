"""The consumer runner: idempotent handling, explicit offsets, retries, dead letters.

For each record, in partition order:

1. Undecodable bytes (not a CloudEvent, or a payload its contract rejects) go to the
   dead-letter topic at once.
2. Types with no handler are skipped (consumers ignore types they don't know).
3. If an earlier event with the same key is in dead letters and unresolved, this one is
   parked behind it (dead-lettered too) so it never overtakes it (quarantine).
4. The handler's effects and an inbox row ``(consumer, source, event id)`` commit in one
   transaction; an event already in the inbox changes nothing.
5. A failing handler is retried with exponential backoff and jitter; after the last
   attempt the record goes to ``srs.dlq.<consumer>`` with its origin in headers.

Offsets are committed explicitly, per partition, after the database commit (or after
the dead letter is acknowledged), so nothing is lost and a redelivery is harmless.
A replayed dead letter (``srs_replay`` header) resolves its quarantine when applied; a
discarded one (``srs_discard`` header, sent by operations) resolves it without applying.

The modules: :mod:`.loop` (fetch, commit offsets, rebalance, reconnect), :mod:`.records`
(applying a partition's records), :mod:`.inbox` (what was applied), :mod:`.dead_letters`
(dead letters and quarantine) and :mod:`.classify` (the one step that decides, for any
failure, between waiting, retrying, dead-lettering and quarantining).
"""

from srs_common.events.consumer.classify import Action, Decision, Reason, classify
from srs_common.events.consumer.dead_letters import (
    DISCARD_HEADER,
    REPLAY_HEADER,
    dead_letter_headers,
)
from srs_common.events.consumer.loop import ConsumerRunner
from srs_common.events.handlers import Handler, Handlers

__all__ = [
    "DISCARD_HEADER",
    "REPLAY_HEADER",
    "Action",
    "ConsumerRunner",
    "Decision",
    "Handler",
    "Handlers",
    "Reason",
    "classify",
    "dead_letter_headers",
]
