"""The one test clock: a time the test moves by hand, handed to production code as its clock.

Production code takes its clock as a plain callable: seconds as a float (`time.monotonic` or
`time.time`: the relay, the rate limiter, tokens, the simulators) or an aware `datetime` (the
attendance log, the keyring, the room schedule and controller). A `ManualClock` is the float
callable itself, gives the same instant as a `datetime` through `wall`, and runs the timers that
code scheduled through `schedule(delay, callback)` (the relay's `loop.call_later` seam) when the
test advances it, so a test is never at the mercy of the machine's load.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

# What `wall` reads while the test has not said otherwise; any fixed instant would do.
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
# Timers due within this much after the end of an advance still fire: steps such as ten
# advances of 0.01 s add up to a hair under 0.1 s in floating point.
TIMER_SLACK = 1e-9


class ManualClock:
    """A clock that stands still until the test moves it.

    `now` is the reading in seconds (a test may also set it directly, which fires no timer);
    `wall()` is the same instant as a datetime, `wall_start` at `start` seconds.
    """

    def __init__(self, start: float = 0.0, *, wall_start: datetime = EPOCH) -> None:
        self.now = start
        self._start = start
        self._wall_start = wall_start
        self._timers: list[tuple[float, int, Callable[[], object]]] = []
        self._scheduled = 0

    def __call__(self) -> float:
        return self.now

    def monotonic(self) -> float:
        """The reading, for a keyword that names its clock (`monotonic=clock.monotonic`)."""
        return self.now

    def wall(self) -> datetime:
        """The reading as an aware datetime, for code that takes a `now() -> datetime`."""
        return self._wall_start + timedelta(seconds=self.now - self._start)

    def schedule(self, delay: float, callback: Callable[[], object]) -> None:
        """Run `callback` once the clock has been advanced `delay` seconds from now."""
        self._scheduled += 1
        self._timers.append((self.now + delay, self._scheduled, callback))

    def advance(self, seconds: float) -> None:
        """Move forward, running each timer that falls due at its own time, in order."""
        end = self.now + seconds
        while self._timers and min(self._timers)[0] <= end + TIMER_SLACK:
            due = min(self._timers)
            self._timers.remove(due)
            self.now = due[0]
            due[2]()
        self.now = end

    def set_wall(self, when: datetime) -> None:
        """Move to the instant `when` (forward, normally), running the timers due by then."""
        self.advance((when - self.wall()).total_seconds())
