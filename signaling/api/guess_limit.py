"""A limit on wrong guesses (check-in PINs): at most `limit` per `period` per key.

Keys are a phone's device digest and the client's address, each with its own limit: the
room's phones may share one address behind the school's Wi-Fi, so the address's limit is
higher, and a phone that drops its cookie still meets it. Pure: the clock is injected.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

MAX_KEYS = 10_000  # beyond this, the oldest keys are forgotten first


class GuessLimit:
    def __init__(self, limit: int, period_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.period_s = period_s
        self._clock = clock
        self._misses: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        misses = self._misses.get(key, deque())
        while misses and misses[0] <= now - self.period_s:
            misses.popleft()
        return misses

    def wait_s(self, key: str) -> float:
        """0 if `key` may guess now; else how many seconds until it may."""
        now = self._clock()
        misses = self._recent(key, now)
        if len(misses) < self.limit:
            return 0.0
        return max(misses[0] + self.period_s - now, 0.001)

    def missed(self, key: str) -> None:
        now = self._clock()
        misses = self._recent(key, now)
        misses.append(now)
        self._misses.pop(key, None)
        self._misses[key] = misses  # most recent last
        while len(self._misses) > MAX_KEYS:
            del self._misses[next(iter(self._misses))]
