"""Admission of joins: a bounded number in progress per process, the rest wait their turn.

A join is the expensive message of the protocol: a token to verify, the class to look up,
the whole roster to send, a `participant_joined` to every participant, an attendance row to
write. Hundreds of joins arriving at once (a class of 500 opening its links at 8:00) ran all
of that in one turn of the event loop, and the participants already in class waited seconds
for a reply to a ping (docs/benchmarks.md, "Join storm"). So at most `limit` joins are in
progress at once; the others wait in arrival order, and each join yields to the event loop
between its steps. A join that would wait longer than `max_wait_s` for its turn (estimated
on arrival from the line ahead of it, and enforced by a timeout) is answered `server_busy`
with a retry hint (the browser waits at least that long before trying again): the storm is
spread out instead of the line growing without bound, and the refusals come as the joins
arrive rather than all together when a crowd of them times out.

The hints are appointments: each refused join is given the next free moment after the line
ahead and the joins refused before it, one join's service time apart, so the refused come
back at the rate the process can seat them instead of all together into a new storm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import AsyncIterator, Callable

logger = logging.getLogger(__name__)


class ServerBusy(Exception):
    """The join waited too long for its turn; try again after `retry_after_s`."""

    def __init__(self, retry_after_s: float):
        super().__init__(f"the server is busy with other joins; try again in {retry_after_s:.0f} s")
        self.retry_after_s = retry_after_s


class JoinAdmission:
    """Lets at most `limit` joins proceed at once, in arrival order."""

    MIN_RETRY_S = 1.0
    MAX_RETRY_S = 120.0
    JITTER = 0.2  # a hint is stretched by up to this fraction, at random
    LOG_EVERY_S = 10.0  # refusals are logged as a count, not one line each

    def __init__(
        self,
        limit: int,
        max_wait_s: float,
        random_fraction: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.limit = limit
        self.max_wait_s = max_wait_s
        self._slots = asyncio.Semaphore(limit)
        self._random = random_fraction
        self._clock = clock
        self.in_progress = 0
        self.waiting = 0
        self.refused = 0  # joins answered server_busy since start
        self._mean_join_s = 0.05  # running mean of a join's time in progress
        self._next_appointment = float("-inf")
        self._unlogged = 0
        self._logged_at = float("-inf")

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold one of the slots for the body; raises ServerBusy after `max_wait_s` in line."""
        if self.waiting >= self.limit and self.expected_wait_s() > self.max_wait_s:
            raise self._refuse()
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), self.max_wait_s)
        except asyncio.TimeoutError:
            raise self._refuse() from None
        finally:
            self.waiting -= 1
        self.in_progress += 1
        started = self._clock()
        try:
            yield
        finally:
            self.in_progress -= 1
            self._mean_join_s += 0.1 * ((self._clock() - started) - self._mean_join_s)
            self._slots.release()

    def expected_wait_s(self) -> float:
        """How long a join arriving now would wait for its turn."""
        return (self.waiting + 1) * self._mean_join_s / self.limit

    def _refuse(self) -> ServerBusy:
        self.refused += 1
        self._unlogged += 1
        now = self._clock()
        if now - self._logged_at >= self.LOG_EVERY_S:
            logger.warning(
                "busy: %d join(s) answered server_busy (%d in progress, %d waiting)",
                self._unlogged, self.in_progress, self.waiting,
            )  # fmt: skip
            self._unlogged, self._logged_at = 0, now
        return ServerBusy(self.retry_after_s())

    def retry_after_s(self) -> float:
        """The next free appointment: after the line ahead has cleared and after the joins
        refused before this one, each `mean join time / limit` apart; with a little jitter."""
        now = self._clock()
        appointment = max(now + self.expected_wait_s(), self._next_appointment)
        self._next_appointment = appointment + self._mean_join_s / self.limit
        base = min(self.MAX_RETRY_S, max(self.MIN_RETRY_S, appointment - now))
        return round(base * (1.0 + self.JITTER * self._random()), 1)
