"""How long a background loop waits between rounds, so that a stack at rest costs almost
nothing and a busy one answers at once.

Every polling loop of the platform (the outbox relay, the audit sealer, the notifier's
sender, the webhook deliverer) waits with :class:`IdlePoll`: ``busy`` seconds after a
round that found work, twice as long after each idle round up to ``idle``, and not at all
once :meth:`IdlePoll.wake` says work has arrived (a commit in this process, a PostgreSQL
notification from another).
"""

from __future__ import annotations

import asyncio
import contextlib


class IdlePoll:
    def __init__(self, busy: float, idle: float) -> None:
        if busy <= 0:
            raise ValueError("busy must be positive")
        self.busy = busy
        self.idle = max(idle, busy)
        self.delay = busy
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Work has arrived: end the current wait (or skip the next one)."""
        self._event.set()

    def clear(self) -> None:
        """Call at the start of a round: a wake that arrives during the round is kept
        for the wait after it, never lost."""
        self._event.clear()

    async def wait(self, *, worked: bool) -> None:
        """Wait after a round; ``worked``: the round found something to do."""
        self.delay = self.busy if worked else min(self.delay * 2, self.idle)
        if not self._event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=self.delay)
        if self._event.is_set():
            self.delay = self.busy
