"""The test clock itself: timers fire at their own time and in order; wall follows the reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.clock import ManualClock


def test_timers_fire_in_order_at_their_own_time() -> None:
    clock = ManualClock(10.0)
    fired: list[tuple[str, float]] = []
    clock.schedule(0.5, lambda: fired.append(("b", clock())))
    clock.schedule(0.2, lambda: fired.append(("a", clock())))
    clock.schedule(0.5, lambda: fired.append(("c", clock())))
    clock.advance(0.4)
    assert fired == [("a", 10.2)] and clock() == 10.4
    clock.advance(1.0)
    assert fired == [("a", 10.2), ("b", 10.5), ("c", 10.5)] and clock.monotonic() == 11.4


def test_small_steps_reach_a_timer_and_timers_may_schedule_timers() -> None:
    clock = ManualClock()
    fired: list[float] = []

    def again() -> None:
        fired.append(clock.now)
        if len(fired) < 3:
            clock.schedule(0.1, again)

    clock.schedule(0.1, again)
    for _ in range(10):
        clock.advance(0.01)  # adds up to a hair under 0.1
    assert fired == [0.1]
    clock.advance(1.0)
    assert fired == pytest.approx([0.1, 0.2, 0.3]) and clock() == pytest.approx(1.1)


def test_wall_moves_with_the_reading() -> None:
    start = datetime(2025, 9, 2, 1, 0, tzinfo=UTC)
    clock = ManualClock(1000.0, wall_start=start)
    assert clock.wall() == start
    clock.set_wall(start + timedelta(minutes=30))
    assert clock() == 1000.0 + 1800 and clock.wall() == start + timedelta(minutes=30)
    clock.now += 60
    assert clock.wall() == start + timedelta(minutes=31)
