"""The schedule: rooms ready before their classes, switched off after them and when idle.

Every `tick` looks at each room's bookings (classes with a room and times, from a
`Calendar`) against an injected clock:

- the start scene runs from `before_class_minutes` before a class, once per class, and only
  when no other class is in progress in the room (it waits for that one to end rather than
  move the camera in the middle of a lecture). It is not run more than `CATCH_UP` after the
  class began (the server was down through the preparation, or the class was booked once
  under way: the room is in use, left as people set it up), unless it was waiting for the
  previous class to end. A class booked over the time of another class whose room was
  already prepared shares that preparation: its start scene is skipped;
- the end scene runs `after_class_minutes` after a class ends (its planned end, or when it
  was ended, whichever is first), once, unless another class needs the room by then or
  people are still connected; a missed end older than `CATCH_UP` is not run late (a server
  restarted the next morning must not switch off a room in use);
- the idle scene runs when no class needs the room, nobody is connected to a class there,
  and for `idle_off_minutes` nobody has touched the room and no class has ended; once per
  period of inactivity (the PlaceOS sensor_shutdown rule, docs/devices.md §2).

Each start and end decision (run or skipped) is handed to the calendar to keep before the
scene starts, and bookings come back with the decisions already taken: a restarted server
resumes, it never runs a class's end scene, or its start scene once the class has begun, a
second time (a restart during the preparation prepares the room again: a start scene the
shutdown interrupted is completed, and nobody is being taught yet). Scenes are started (not
awaited): a run shows up in the console like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from devices.room.actor import Actor, ActorKind
from devices.room.controller import RoomController
from devices.room.tasks import cancel_and_wait

log = logging.getLogger(__name__)

CATCH_UP = timedelta(minutes=15)
TICK = 15.0  # seconds between looks at the calendar
# After a (re)start, the first look waits this long: nobody is connected yet, so a class running
# over its time would look over and have its end scene run. Browsers reconnect within ~10 s.
RECONNECT_GRACE = 60.0


@dataclass(frozen=True)
class Booking:
    """A class booked in a room, as the schedule needs to see it."""

    class_id: str
    starts_at: datetime | None
    ends_at: datetime | None
    ended_at: datetime | None = None  # ended (early or late) through classbridge
    live: bool = False  # somebody is connected right now
    done: frozenset[str] = frozenset()  # the steps ("start", "end") decided before, kept


    @property
    def end(self) -> datetime | None:
        ends = [t for t in (self.ends_at, self.ended_at) if t is not None]
        return min(ends) if ends else None

    def in_progress(self, now: datetime, lead: timedelta = timedelta(0)) -> bool:
        """Whether the class holds the room at `now` (counting `lead` before its start)."""
        if self.live:
            return True
        if self.starts_at is None or now < self.starts_at - lead:
            return False
        return self.end is None or now < self.end

    def overlaps(self, other: Booking) -> bool:
        """Whether the two classes were booked over the same time (overrunning does not count)."""
        mine, theirs = self.end, other.end
        if None in (self.starts_at, other.starts_at, mine, theirs):
            return False
        assert self.starts_at and other.starts_at and mine and theirs
        return self.starts_at < theirs and other.starts_at < mine


Step = Literal["start", "end"]


@dataclass(frozen=True)
class Decision:
    """What the schedule decided about one class's start or end: run `scene`, or skip it."""

    class_id: str
    step: Step
    scene: str | None  # None: skipped
    reason: str  # why, for the log and the kept record

    @property
    def ran(self) -> bool:
        return self.scene is not None


class Calendar(Protocol):
    async def bookings(self, room: str) -> list[Booking]:
        """Classes in `room` that are upcoming, running or recently over."""

    async def record(self, room: str, decision: Decision) -> None:
        """Keep `decision`, so that `bookings` after a restart lists it in `done`."""


@dataclass(frozen=True)
class Started:
    room: str
    scene: str
    reason: str  # "start of class X", "end of class X", "idle"


@dataclass
class _RoomMemory:
    done: set[tuple[str, str]] = field(default_factory=set)  # (class id, "start" | "end")
    waiting: set[str] = field(default_factory=set)  # class ids whose start waits for the room
    idle_after: float | None = None  # last_activity when the idle scene last ran


class Scheduler:
    def __init__(
        self,
        controllers: Mapping[str, RoomController],
        calendar: Calendar,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval: float = TICK,
        grace: float = RECONNECT_GRACE,
    ) -> None:
        self.controllers = controllers
        self.calendar = calendar
        self._now = now
        self.interval = interval
        self.grace = grace
        self._memory = {name: _RoomMemory() for name in controllers}
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="room schedule")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def tick(self) -> list[Started]:
        """Look at every room once; returns the scenes started."""
        started: list[Started] = []
        for name, controller in self.controllers.items():
            try:
                bookings = await self.calendar.bookings(name)
            except Exception:  # one bad look must not stop the schedule of every room
                log.exception("%s: cannot read the room's bookings", name)
                continue
            decisions, idle = self._decide(controller, bookings)
            for decision in decisions:  # kept before anything runs: a restart never repeats it
                log.info(
                    "%s: %s of class %s: %s", name, decision.step, decision.class_id, decision.reason
                )
                try:
                    await self.calendar.record(name, decision)
                except Exception:  # this process remembers it anyway
                    log.exception("%s: cannot keep the schedule's decision", name)
            # The schedule acts for a class (its id), or for nobody in an idle room: data the
            # pages show beside their own words for the schedule, not an English phrase.
            runs: list[tuple[str | None, str, str | None]] = [
                (d.scene, f"{d.step} of class {d.class_id}", d.class_id) for d in decisions
            ]
            runs += [(idle, "idle", None)] if idle else []
            for scene, reason, class_id in runs:
                if scene is not None:
                    controller.start_scene(scene, Actor(kind=ActorKind.SCHEDULE, name="", class_id=class_id))
                    started.append(Started(name, scene, reason))
        return started

    def _decide(
        self, controller: RoomController, bookings: list[Booking]
    ) -> tuple[list[Decision], str | None]:
        """The start and end decisions due now, and the idle scene to run if the room is idle.

        Synchronous: two ticks that overlap cannot take the same decision twice."""
        room = controller.room
        plan = room.schedule.resolved([s.name for s in room.scenes])
        before = timedelta(minutes=plan.before_class_minutes)
        after = timedelta(minutes=plan.after_class_minutes)
        memory = self._memory[controller.name]
        now = self._now()
        decisions: list[Decision] = []

        def done(booking: Booking, step: Step) -> bool:
            if (booking.class_id, step) in memory.done:
                return True
            if step == "start" and booking.starts_at is not None and now < booking.starts_at:
                return False  # restarted before the class began: preparing again harms nobody
            return step in booking.done

        def decide(booking: Booking, step: Step, scene: str | None, reason: str) -> None:
            memory.done.add((booking.class_id, step))
            decisions.append(Decision(booking.class_id, step, scene, reason))

        for booking in bookings:
            others = [b for b in bookings if b.class_id != booking.class_id]
            key = booking.class_id
            end = booking.end
            starts = booking.starts_at
            if not done(booking, "start") and starts is not None and booking.in_progress(now, before):
                shared = [b.class_id for b in others if booking.overlaps(b) and done(b, "start")]
                if shared:
                    reason = f"shares the room with class {shared[0]}, booked over the same time"
                    decide(booking, "start", None, f"{reason}: prepared once")
                elif any(b.in_progress(now) for b in others):
                    memory.waiting.add(key)  # another class is being taught: after it
                elif now > starts + CATCH_UP and key not in memory.waiting:
                    decide(booking, "start", None, "missed: the class began more than 15 minutes ago")
                elif plan.start_scene is None:
                    decide(booking, "start", None, "the room has no start scene")
                else:
                    decide(booking, "start", plan.start_scene, "ran")
            if end is not None and not done(booking, "end") and now >= end + after:
                if now >= end + after + CATCH_UP:
                    decide(booking, "end", None, "missed: the class ended more than 15 minutes before")
                elif booking.live:
                    decide(booking, "end", None, "people are still connected")
                elif any(b.in_progress(now, before) for b in others):
                    decide(booking, "end", None, "the next class keeps the room on")
                elif plan.end_scene is None:
                    decide(booking, "end", None, "the room has no end scene")
                else:
                    decide(booking, "end", plan.end_scene, "ran")
                    memory.idle_after = controller.last_activity

        needed = any(b.in_progress(now, before) for b in bookings)
        ended = [b.end for b in bookings if b.end is not None and b.end <= now]
        quiet = controller.idle_seconds()  # a class that just ended counts as activity
        if ended:
            quiet = min(quiet, (now - max(ended)).total_seconds())
        idle_minutes = plan.idle_off_minutes
        idle = None
        if (
            not needed
            and idle_minutes is not None
            and quiet >= idle_minutes * 60
            and memory.idle_after != controller.last_activity
        ):
            memory.idle_after = controller.last_activity
            idle = plan.idle_scene
        return decisions, idle

    async def _loop(self) -> None:
        await asyncio.sleep(self.grace)
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the room schedule failed; trying again at the next tick")
            await asyncio.sleep(self.interval)
