"""The schedule: rooms ready before their classes, switched off after them and when idle.

Every `tick` looks at each room's bookings (classes with a room and times, from a
`Calendar`) against an injected clock:

- the start scene runs from `before_class_minutes` before a class until it ends, once per
  class, and only when no other class is in progress in the room (it waits for that one to
  end rather than move the camera in the middle of a lecture);
- the end scene runs `after_class_minutes` after a class ends (its planned end, or when it
  was ended, whichever is first), once, unless another class needs the room by then; a
  missed end older than `CATCH_UP` is not run late (a server restarted the next morning
  must not switch off a room in use);
- the idle scene runs when no class needs the room, nobody is connected to a class there,
  and for `idle_off_minutes` nobody has touched the room and no class has ended; once per
  period of inactivity (the PlaceOS sensor_shutdown rule, docs/devices.md §2).

Scenes are started (not awaited): a run shows up in the console like any other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from devices.room.actor import Actor, ActorKind
from devices.room.controller import RoomController
from devices.room.tasks import cancel_and_wait

log = logging.getLogger(__name__)

CATCH_UP = timedelta(minutes=15)
TICK = 15.0  # seconds between looks at the calendar


@dataclass(frozen=True)
class Booking:
    """A class booked in a room, as the schedule needs to see it."""

    class_id: str
    starts_at: datetime | None
    ends_at: datetime | None
    ended_at: datetime | None = None  # ended (early or late) through classbridge
    live: bool = False  # somebody is connected right now

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


class Calendar(Protocol):
    async def bookings(self, room: str) -> list[Booking]:
        """Classes in `room` that are upcoming, running or recently over."""


@dataclass(frozen=True)
class Started:
    room: str
    scene: str
    reason: str  # "start of class X", "end of class X", "idle"


@dataclass
class _RoomMemory:
    done: set[tuple[str, str]] = field(default_factory=set)  # (class id, "start" | "end")
    idle_after: float | None = None  # last_activity when the idle scene last ran


class Scheduler:
    def __init__(
        self,
        controllers: Mapping[str, RoomController],
        calendar: Calendar,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        interval: float = TICK,
    ) -> None:
        self.controllers = controllers
        self.calendar = calendar
        self._now = now
        self.interval = interval
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
            started += self._room(controller, bookings)
        return started

    def _room(self, controller: RoomController, bookings: list[Booking]) -> list[Started]:
        room = controller.room
        plan = room.schedule.resolved([s.name for s in room.scenes])
        before = timedelta(minutes=plan.before_class_minutes)
        after = timedelta(minutes=plan.after_class_minutes)
        memory = self._memory[controller.name]
        now = self._now()
        started = []

        def run(scene: str | None, reason: str, who: str) -> None:
            # The schedule acts for a class (its id), or for nobody in an idle room: data the
            # pages show beside their own words for the schedule, not an English phrase.
            if scene is not None:
                controller.start_scene(scene, Actor(kind=ActorKind.SCHEDULE, name="", class_id=who or None))
                started.append(Started(controller.name, scene, reason))

        for booking in bookings:
            others = [b for b in bookings if b.class_id != booking.class_id]
            key = booking.class_id
            end = booking.end
            if (
                (key, "start") not in memory.done
                and booking.starts_at is not None
                and booking.in_progress(now, before)
                and not any(b.in_progress(now) for b in others)
            ):
                memory.done.add((key, "start"))
                run(plan.start_scene, f"start of class {key}", key)
            if end is not None and (key, "end") not in memory.done and now >= end + after:
                memory.done.add((key, "end"))
                if now >= end + after + CATCH_UP or booking.live:
                    continue
                if any(b.in_progress(now, before) for b in others):
                    continue  # the next class keeps the room on
                run(plan.end_scene, f"end of class {key}", key)
                memory.idle_after = controller.last_activity

        needed = any(b.in_progress(now, before) for b in bookings)
        ended = [b.end for b in bookings if b.end is not None and b.end <= now]
        quiet = controller.idle_seconds()  # a class that just ended counts as activity
        if ended:
            quiet = min(quiet, (now - max(ended)).total_seconds())
        idle_minutes = plan.idle_off_minutes
        if (
            not needed
            and idle_minutes is not None
            and quiet >= idle_minutes * 60
            and memory.idle_after != controller.last_activity
        ):
            memory.idle_after = controller.last_activity
            run(plan.idle_scene, "idle", "")
        return started

    async def _loop(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("the room schedule failed; trying again at the next tick")
            await asyncio.sleep(self.interval)
