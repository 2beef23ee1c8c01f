"""The server's rooms: the rooms file loaded, its controllers running, the schedule ticking.

Composition root of the room side, like signaling/server/media.py is of the media side. With no
rooms file configured, the server runs the example room (config/rooms.example.yaml, shipped in the package) on
simulators on loopback, so a newcomer's first ``bash scripts/serve.sh`` shows a working
technician console. The rooms file is read when the server is built (a mistake stops
``classbridge serve`` before it listens, naming file, line and field); devices and
simulators start in the background once it listens, and the API answers ``rooms_starting``
until they have.

Every act in a room is written to the audit log (classroom/audit.py), and the schedule reads
the classes booked in each room from the database and the live hub, and keeps its decisions
(a class's start or end scene run or skipped) in the database, so that a restarted server
resumes the schedule instead of preparing rooms again in the middle of a lecture.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.audit import AuditLog
from classroom.live import LiveClasses
from devices.errors import ConfigError
from devices.room.controller import RoomController
from devices.room.errors import NotFound
from devices.room.events import LogEntry
from devices.room.fleet import RoomFleet
from devices.room.scheduler import RECONNECT_GRACE, Booking, Decision, Scheduler
from devices.room.tasks import cancel_and_wait
from devices.rooms_file import RoomsFile, load_rooms
from signaling.errors import SettingsError, SignalingError
from signaling.server.settings import Settings

log = logging.getLogger(__name__)

# Inside the package, so that any install (not only a checkout) can run the demo room;
# config/rooms.example.yaml in the repository links here.
EXAMPLE_ROOMS = Path(__file__).resolve().parent / "examples" / "rooms.example.yaml"
LOOK_BACK = timedelta(days=1)  # classes that ended longer ago do not concern the schedule
START_GRACE_S = 15.0  # at shutdown, how long a start still in progress may take to finish


class RoomsStarting(SignalingError):
    code = "rooms_starting"


def _utc_now() -> datetime:
    return datetime.now(UTC)


Clock = Callable[[], datetime]


class DatabaseCalendar:
    """The schedule's view of the classes booked in a room (database + who is connected), and
    where it keeps its decisions."""

    def __init__(self, db: sessionmaker[Session], live: LiveClasses, now: Clock = _utc_now) -> None:
        self.db = db
        self.live = live
        self._now = now

    async def bookings(self, room: str) -> list[Booking]:
        found = await asyncio.to_thread(classes.booked_in, self.db, room, self._now() - LOOK_BACK)
        done = await asyncio.to_thread(classes.schedule_steps, self.db, [c.id for c in found])
        return [
            Booking(
                c.id, c.starts_at, c.ends_at, c.ended_at, self.live.participant_count(c.id) > 0,
                frozenset(done[c.id]),
            )  # fmt: skip
            for c in found
        ]

    async def record(self, room: str, decision: Decision) -> None:
        await asyncio.to_thread(
            classes.record_schedule_step,
            self.db,
            decision.class_id,
            decision.step,
            room=room,
            at=self._now(),
            outcome="ran" if decision.ran else "skipped",
            detail=decision.reason if not decision.ran else f"scene {decision.scene}",
        )


class AuditSink:
    """Writes room log entries to the audit table, off the event loop."""

    def __init__(self, audit: AuditLog) -> None:
        self.audit = audit

    async def __call__(self, entry: LogEntry) -> None:
        await asyncio.to_thread(
            self.audit.record,
            at=entry.at,
            room=entry.room,
            actor_kind=entry.actor.kind.value,
            actor_name=entry.actor.name,
            target=entry.target,
            action=entry.action,
            result=entry.result,
            detail=entry.detail,
            actor_class=entry.actor.class_id,
            event=entry.event,
            args=entry.args,
            error=entry.error,
        )


def rooms_file_of(settings: Settings) -> tuple[Path | None, bool]:
    """The rooms file `serve` reads with `settings` (None: no rooms), and whether simulated."""
    simulated = bool(settings.rooms_simulated)
    if settings.rooms_file is None and simulated:
        if not EXAMPLE_ROOMS.is_file():
            log.warning("no rooms_file set and no example room at %s: no rooms", EXAMPLE_ROOMS)
            return None, simulated
        return EXAMPLE_ROOMS, simulated
    return settings.rooms_file, simulated


def _load(path: Path, *, require_secrets: bool) -> RoomsFile:
    try:
        return load_rooms(path, require_secrets=require_secrets)
    except ConfigError as error:
        raise SettingsError(f"rooms_file: {error}") from None


def room_names(settings: Settings) -> list[str]:
    """The names of the rooms `serve` drives with `settings` (read without their secrets: the
    CLI checks a class's room against them wherever it runs)."""
    path, _ = rooms_file_of(settings)
    if path is None:
        return []
    return [room.name for room in _load(path, require_secrets=False).rooms]


class RoomService:
    def __init__(
        self,
        rooms: RoomsFile | None = None,
        *,
        simulated: bool = False,
        source: str = "no rooms",
        controller_options: dict[str, Any] | None = None,
        now: Clock = _utc_now,
        schedule_grace: float = RECONNECT_GRACE,
    ) -> None:
        """`now` and `schedule_grace` (the wait before the schedule's first look) are for tests."""
        self.rooms = rooms
        self._now = now
        self.schedule_grace = schedule_grace
        self.simulated = simulated
        self.source = source
        self.controller_options = controller_options or {}
        self.fleet: RoomFleet | None = None
        self.scheduler: Scheduler | None = None
        self.ready = asyncio.Event()
        self.failed: str | None = None
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def open(cls, settings: Settings) -> RoomService:
        """Read the configured rooms file (or pick the example room to simulate)."""
        path, simulated = rooms_file_of(settings)
        if path is None:
            return cls()
        rooms = _load(path, require_secrets=not simulated)
        source = f"{'simulated ' if simulated else ''}rooms from {path}"
        return cls(rooms, simulated=simulated, source=source)

    # lifecycle --------------------------------------------------------------------------------

    def launch(self, db: sessionmaker[Session], live: LiveClasses) -> None:
        """Start devices (or simulators), controllers and schedule in the background."""
        self._task = asyncio.create_task(self._start(db, live), name="rooms start")

    async def _start(self, db: sessionmaker[Session], live: LiveClasses) -> None:
        if self.rooms is None:
            self.ready.set()
            return
        options = {"audit": AuditSink(AuditLog(db)), **self.controller_options}
        try:
            if self.simulated:
                self.fleet = await RoomFleet.simulated_from(self.rooms, **options)
            else:
                self.fleet = RoomFleet(self.rooms, **options)
            await self.fleet.start()
        except Exception as error:  # a broken simulator must not take the classes down
            log.exception("the rooms could not be started")
            self.failed = f"the rooms could not be started: {error}"
            return
        calendar = DatabaseCalendar(db, live, self._now)
        self.scheduler = Scheduler(
            self.fleet.controllers, calendar, now=self._now, grace=self.schedule_grace
        )
        self.scheduler.start()
        self.ready.set()
        log.info("rooms ready (%s): %s", self.source, ", ".join(self.fleet.controllers))

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            # Let a start in progress finish, so that every simulator and link it opened is
            # known and closed below; cancel only one that hangs.
            try:
                await asyncio.wait_for(asyncio.shield(self._task), START_GRACE_S)
            except TimeoutError:
                await cancel_and_wait(self._task)
        if self.scheduler is not None:
            await self.scheduler.stop()
        if self.fleet is not None:
            await self.fleet.stop()

    # lookups ----------------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [room.name for room in self.rooms.rooms] if self.rooms else []

    def controllers(self) -> list[RoomController]:
        self._check_ready()
        assert self.fleet is not None or self.rooms is None
        return list(self.fleet.controllers.values()) if self.fleet else []

    def get(self, name: str) -> RoomController:
        if name not in self.names:
            raise NotFound("room", name, self.names)
        self._check_ready()
        assert self.fleet is not None
        return self.fleet.get(name)

    def _check_ready(self) -> None:
        if self.failed:
            raise RoomsStarting(self.failed, code="rooms_failed")
        if not self.ready.is_set():
            raise RoomsStarting("the rooms are starting; try again in a few seconds")
