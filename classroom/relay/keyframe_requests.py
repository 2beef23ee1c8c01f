"""Keyframe requests (PLI) sent upstream to a publisher, throttled.

Every subscriber that joins, loses a picture or drops packets wants a key frame; the publisher
must not be asked more than once per interval (Galène and LiveKit use 500 ms), or it spends
its bit rate on key frames. A request that arrives inside the interval is not lost: one
deferred request goes out when the interval ends, unless a key frame arrived in the meantime.
"""

from __future__ import annotations

from typing import Callable, Protocol

from classroom.relay.counters import COUNTERS

DEFAULT_INTERVAL = 0.5


class Scheduler(Protocol):
    def __call__(self, delay: float, callback: Callable[[], None]) -> object: ...


class KeyframeRequester:
    def __init__(
        self,
        send: Callable[[], None],
        clock: Callable[[], float],
        schedule: Scheduler,
        interval: float = DEFAULT_INTERVAL,
    ):
        self._send = send
        self._clock = clock
        self._schedule = schedule
        self.interval = interval
        self._last_sent: float | None = None
        self._deferred = False
        self._keyframe_since_request = False
        self.sent = 0
        self.suppressed = 0

    def request(self) -> None:
        now = self._clock()
        if self._last_sent is None or now - self._last_sent >= self.interval:
            self._fire(now)
            return
        self.suppressed += 1
        COUNTERS.keyframe_requests_suppressed += 1
        if not self._deferred:
            self._deferred = True
            self._keyframe_since_request = False
            self._schedule(self._last_sent + self.interval - now, self._deferred_fire)

    def keyframe_received(self) -> None:
        """A key frame went through: a deferred request waiting for one is satisfied."""
        self._keyframe_since_request = True

    def _deferred_fire(self) -> None:
        self._deferred = False
        if not self._keyframe_since_request:
            self._fire(self._clock())

    def _fire(self, now: float) -> None:
        self._last_sent = now
        self.sent += 1
        COUNTERS.keyframe_requests_sent += 1
        self._send()
