"""A restarted server resumes the room schedule: the example room on simulators, one SQLite
database, a manual clock, and the room service stopped and opened again as `serve` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.audit import AuditEntry, AuditLog
from classroom.db import open_database
from devices.pjlink.values import PowerState
from devices.rooms_file import load_rooms
from signaling.server.rooms import EXAMPLE_ROOMS, RoomService
from tests.support.clock import ManualClock
from tests.support.rooms import FAST, NobodyLive
from tests.support.wait import until

DAY = datetime(2025, 3, 10, tzinfo=UTC)
ROOM = "room-101"


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return DAY + timedelta(hours=int(hours), minutes=int(minutes))


@asynccontextmanager
async def server(db: sessionmaker[Session], clock: ManualClock) -> AsyncIterator[RoomService]:
    """The room side of one server run: fresh simulators, the schedule driven by hand (its own
    loop waits an hour before its first look)."""
    rooms = RoomService(
        load_rooms(EXAMPLE_ROOMS, environ={}, require_secrets=False),
        simulated=True,
        source="simulated example",
        controller_options={**FAST, "monotonic": clock.monotonic},
        now=clock.wall,
        schedule_grace=3600,
    )
    rooms.launch(db, NobodyLive())
    try:
        await until(lambda: rooms.ready.is_set() or rooms.failed, what="the simulated room to start")
        assert rooms.failed is None, rooms.failed
        yield rooms
    finally:
        await rooms.stop()


async def tick(rooms: RoomService) -> list[str]:
    """One look at the schedule; waits for the scenes it started to finish."""
    assert rooms.scheduler is not None
    started = await rooms.scheduler.tick()
    for s in started:
        task = rooms.get(s.room)._run_task
        if task is not None:
            await task
    return [f"{s.scene}: {s.reason}" for s in started]


def schedule_runs(audit: AuditLog) -> list[AuditEntry]:
    return [e for e in reversed(audit.entries(ROOM)) if e.actor_kind == "schedule"]


async def audited(audit: AuditLog, count: int) -> list[AuditEntry]:
    """The schedule's audit rows, once there are `count` (the sink writes them off the loop)."""
    await until(
        lambda: len(schedule_runs(audit)) >= count,
        what=f"{count} schedule runs in the audit log (have {[e.target for e in schedule_runs(audit)]})",
    )
    return schedule_runs(audit)


def projector(rooms: RoomService) -> PowerState:
    """The projector simulator's own state (what the room really did)."""
    assert rooms.fleet is not None and rooms.fleet.simulated is not None
    (sim,) = [r.simulator for r in rooms.fleet.simulated.running if r.device.name == "projector"]
    power: PowerState = sim.power()
    return power


async def test_a_restart_mid_class_does_not_prepare_the_room_again(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'classbridge.db'}")
    audit = AuditLog(db)
    booked = classes.create(db, "Khoá 12 – buổi 3", ROOM, starts_at=at("08:00"), ends_at=at("09:30"))
    clock = ManualClock(wall_start=at("07:45"))

    async with server(db, clock) as rooms:
        clock.set_wall(at("07:50"))
        assert await tick(rooms) == [f"start: start of class {booked.id}"]
        (start,) = await audited(audit, 1)
        assert (start.target, start.actor_kind) == ("start", "schedule")

    clock.set_wall(at("08:10"))  # the server comes back during the lecture
    async with server(db, clock) as rooms:
        assert await tick(rooms) == []  # the start scene is not run again
        assert rooms.get(ROOM).last_run is None  # nothing ran in this server's room
        assert projector(rooms) is PowerState.OFF
        clock.set_wall(at("09:35"))
        assert await tick(rooms) == [f"end: end of class {booked.id}"]  # the end is still due
        assert [e.target for e in await audited(audit, 2)] == ["start", "end"]

    clock.set_wall(at("09:40"))  # and again, just after the end scene ran
    async with server(db, clock) as rooms:
        assert await tick(rooms) == []
        assert rooms.get(ROOM).last_run is None
    assert [e.target for e in schedule_runs(audit)] == ["start", "end"]
    assert sorted(classes.schedule_steps(db, [booked.id])[booked.id]) == ["end", "start"]


async def test_after_a_restart_the_end_and_the_idle_switch_off_still_happen(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'classbridge.db'}")
    audit = AuditLog(db)
    booked = classes.create(db, "Khoá 12 – buổi 4", ROOM, starts_at=at("08:00"), ends_at=at("09:30"))
    clock = ManualClock(wall_start=at("07:45"))
    async with server(db, clock) as rooms:
        clock.set_wall(at("07:50"))
        assert await tick(rooms) == [f"start: start of class {booked.id}"]

    clock.set_wall(at("09:00"))  # down from 07:50 to 09:00
    async with server(db, clock) as rooms:
        assert await tick(rooms) == []
        clock.set_wall(at("09:35"))
        assert await tick(rooms) == [f"end: end of class {booked.id}"]

    clock.set_wall(at("10:00"))  # restarted with no class: the room switches itself off when idle
    async with server(db, clock) as rooms:
        assert await tick(rooms) == []
        clock.set_wall(at("10:29"))
        assert await tick(rooms) == []
        clock.set_wall(at("10:30"))
        assert await tick(rooms) == ["end: idle"]
    assert [e.target for e in await audited(audit, 3)] == ["start", "end", "end"]


async def test_a_start_missed_while_the_server_was_down_is_not_run_mid_lecture(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'classbridge.db'}")
    late = classes.create(db, "Muộn", ROOM, starts_at=at("08:00"), ends_at=at("09:30"))
    soon = classes.create(db, "Sắp", ROOM, starts_at=at("10:00"), ends_at=at("11:00"))
    clock = ManualClock(wall_start=at("08:16"))  # the server was down from before 07:50
    async with server(db, clock) as rooms:
        assert await tick(rooms) == []  # 16 minutes into the lecture: left as it is
        clock.set_wall(at("09:50"))
        assert await tick(rooms) == [f"start: start of class {soon.id}"]
    steps = classes.schedule_steps(db, [late.id, soon.id])
    assert (steps[late.id], steps[soon.id]) == ({"start", "end"}, {"start"})
