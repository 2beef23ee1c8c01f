"""The schedule with an injected clock, running its scenes on real simulators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devices.pjlink.values import PowerState
from devices.room.actor import Actor, ActorKind
from devices.commands import Volume
from devices.room.scheduler import Booking, Decision, Scheduler, Started
from tests.devices.room.conftest import MakeRoom, Running, Simulators
from tests.support.clock import ManualClock

SCENES = [
    {"name": "start", "steps": [{"do": "power", "device": "projector", "power": True}]},
    {"name": "end", "steps": [{"do": "power", "device": "projector", "power": False}]},
]
DAY = datetime(2025, 3, 10, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return DAY + timedelta(hours=int(hours), minutes=int(minutes))


class Calendar:
    def __init__(self) -> None:
        self.booked: list[Booking] = []
        self.kept: list[Decision] = []

    async def bookings(self, room: str) -> list[Booking]:
        return list(self.booked)

    async def record(self, room: str, decision: Decision) -> None:
        self.kept.append(decision)


def booking(class_id: str, start: str, end: str, **extra: Any) -> Booking:
    return Booking(class_id, at(start), at(end), **extra)


@pytest.fixture
async def setup(make_room: MakeRoom) -> tuple[Running, Scheduler, ManualClock, Calendar]:
    # the controller starts at 07:30: its last activity
    clock, calendar = ManualClock(1000.0, wall_start=at("07:30")), Calendar()
    running = await make_room(
        scenes=SCENES,
        schedule={"before_class_minutes": 10, "after_class_minutes": 5, "idle_off_minutes": 30},
        options={"monotonic": clock.monotonic},
    )
    scheduler = Scheduler({"room-101": running.controller}, calendar, now=clock.wall)
    return running, scheduler, clock, calendar


async def tick(scheduler: Scheduler, running: Running) -> list[str]:
    started = await scheduler.tick()
    task = running.controller._run_task
    if started and task is not None:
        await task
    return [f"{s.scene}: {s.reason}" for s in started]


async def test_start_before_and_end_after_a_class(setup: Any, sims: Simulators) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "09:30")]
    clock.set_wall(at("07:49"))
    assert await tick(scheduler, running) == []
    clock.set_wall(at("07:50"))
    assert await tick(scheduler, running) == ["start: start of class a"]
    assert sims.projector.power() in (PowerState.WARMING, PowerState.ON)
    audited = running.audited[-1]
    assert (audited.actor, audited.target, audited.result) == (Actor(kind=ActorKind.SCHEDULE, name="", class_id="a"), "start", "ok")
    clock.set_wall(at("08:10"))
    assert await tick(scheduler, running) == []  # once per class
    clock.set_wall(at("09:34"))
    assert await tick(scheduler, running) == []
    await running.until(lambda: sims.projector.power() is PowerState.ON)
    clock.set_wall(at("09:35"))
    assert await tick(scheduler, running) == ["end: end of class a"]
    assert sims.projector.power() in (PowerState.COOLING, PowerState.OFF)


async def test_back_to_back_classes_keep_the_room_on(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "10:00"), booking("b", "10:00", "12:00")]
    clock.set_wall(at("07:50"))
    assert await tick(scheduler, running) == ["start: start of class a"]
    clock.set_wall(at("09:50"))
    assert await tick(scheduler, running) == []  # class a is still being taught
    clock.set_wall(at("10:00"))
    assert await tick(scheduler, running) == ["start: start of class b"]
    clock.set_wall(at("10:05"))
    assert await tick(scheduler, running) == []  # a's end would switch off b's room
    clock.set_wall(at("12:05"))
    assert await tick(scheduler, running) == ["end: end of class b"]


async def test_a_class_ended_early_and_a_missed_end(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "10:00", ended_at=at("08:30"))]
    clock.set_wall(at("07:50"))
    await tick(scheduler, running)
    clock.set_wall(at("08:35"))
    assert await tick(scheduler, running) == ["end: end of class a"]
    calendar.booked = [booking("old", "06:00", "07:00")]
    clock.set_wall(at("08:40"))
    assert await tick(scheduler, running) == []  # ended 1 h 40 ago: not run late


async def test_an_idle_room_switches_off_once_per_idle_period(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    clock.set_wall(at("07:59"))
    assert await tick(scheduler, running) == []
    clock.set_wall(at("08:00"))
    assert await tick(scheduler, running) == ["end: idle"]
    clock.set_wall(at("09:00"))
    assert await tick(scheduler, running) == []  # already off, nobody came
    await running.controller.command("display", Volume(do="volume", level=10), Actor(kind=ActorKind.TECHNICIAN, name="t"))
    clock.set_wall(at("09:29"))
    assert await tick(scheduler, running) == []
    clock.set_wall(at("09:30"))
    assert await tick(scheduler, running) == ["end: idle"]


async def test_people_in_a_class_keep_the_room_from_idling(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [Booking("adhoc", None, None, live=True)]
    clock.set_wall(at("09:00"))
    assert await tick(scheduler, running) == []  # no times: no start scene, but not idle either
    calendar.booked = [Booking("adhoc", None, None, live=False)]
    assert await tick(scheduler, running) == ["end: idle"]


async def test_a_calendar_that_fails_is_skipped(setup: Any) -> None:
    running, scheduler, clock, calendar = setup

    async def broken(room: str) -> list[Booking]:
        raise RuntimeError("database locked")

    calendar.bookings = broken
    assert await scheduler.tick() == []


def test_started_records() -> None:
    assert Started("r", "start", "idle").scene == "start"


async def test_a_class_that_just_ended_is_activity(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "09:30")]
    clock.set_wall(at("07:50"))
    await tick(scheduler, running)
    clock.set_wall(at("09:59"))  # the server was down at 09:35: the end is too old to run late
    assert await tick(scheduler, running) == []
    clock.set_wall(at("10:00"))
    assert await tick(scheduler, running) == ["end: idle"]


async def test_every_decision_is_kept_and_a_kept_one_is_not_taken_again(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "09:30")]
    clock.set_wall(at("07:50"))
    assert await tick(scheduler, running) == ["start: start of class a"]
    assert calendar.kept == [Decision("a", "start", "start", "ran")]
    calendar.booked = [booking("a", "08:00", "09:30", done=frozenset({"start"}))]
    clock.set_wall(at("07:55"))  # restarted during the preparation: prepared again
    again = Scheduler({"room-101": running.controller}, calendar, now=clock.wall)
    assert await tick(again, running) == ["start: start of class a"]
    fresh = Scheduler({"room-101": running.controller}, calendar, now=clock.wall)  # a restart
    clock.set_wall(at("08:00"))  # the class has begun: never again
    assert await tick(fresh, running) == []
    clock.set_wall(at("09:35"))
    assert await tick(fresh, running) == ["end: end of class a"]


async def test_a_start_is_not_run_late_into_a_lecture(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "09:30")]
    clock.set_wall(at("08:15"))  # booked, or the server back, a quarter of an hour in: still prepared
    assert await tick(scheduler, running) == ["start: start of class a"]
    calendar.booked = [booking("b", "10:00", "11:30")]
    clock.set_wall(at("10:16"))
    assert await tick(scheduler, running) == []
    assert calendar.kept[-1] == Decision("b", "start", None, "missed: the class began more than 15 minutes ago")


async def test_a_start_that_waited_for_an_overrunning_class_runs_when_it_ends(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "10:00", live=True), booking("b", "10:00", "12:00")]
    clock.set_wall(at("07:50"))
    assert await tick(scheduler, running) == ["start: start of class a"]
    clock.set_wall(at("10:00"))
    assert await tick(scheduler, running) == []  # a runs over: b waits
    calendar.booked = [booking("a", "08:00", "10:00"), booking("b", "10:00", "12:00")]
    clock.set_wall(at("10:30"))
    assert await tick(scheduler, running) == ["start: start of class b"]


async def test_classes_booked_over_each_other_share_one_preparation(setup: Any) -> None:
    running, scheduler, clock, calendar = setup
    calendar.booked = [booking("a", "08:00", "10:00"), booking("b", "08:00", "10:00"), booking("c", "09:00", "11:00")]
    clock.set_wall(at("07:50"))
    assert await tick(scheduler, running) == ["start: start of class a"]  # once, not once per class
    clock.set_wall(at("08:50"))
    assert await tick(scheduler, running) == []
    clock.set_wall(at("10:00"))
    assert await tick(scheduler, running) == []  # c is being taught: its start is not run now
    clock.set_wall(at("10:05"))
    assert await tick(scheduler, running) == []  # nor the ends of a and b
    clock.set_wall(at("11:05"))
    assert await tick(scheduler, running) == ["end: end of class c"]
    skipped = {(d.class_id, d.step): d.reason for d in calendar.kept if not d.ran}
    assert skipped == {
        ("b", "start"): "shares the room with class a, booked over the same time: prepared once",
        ("c", "start"): "shares the room with class a, booked over the same time: prepared once",
        ("a", "end"): "the next class keeps the room on",
        ("b", "end"): "the next class keeps the room on",
    }
