"""The server's rooms: which rooms file, simulated or not, the calendar and the audit sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from classroom import classes
from classroom.audit import AuditLog
from classroom.db import open_database
from devices.room.actor import Actor, ActorKind
from devices.room.errors import NotFound
from devices.room.events import LogEntry
from signaling.errors import SettingsError
from signaling.server.rooms import EXAMPLE_ROOMS, AuditSink, DatabaseCalendar, RoomService, RoomsStarting
from signaling.server.settings import Settings
from tests.support.rooms import NobodyLive


def settings(tmp_path: Path, **given: object) -> Settings:
    return Settings.load(data_dir=tmp_path / "data", **given)


def test_by_default_the_example_room_is_simulated(tmp_path: Path) -> None:
    rooms = RoomService.open(settings(tmp_path))
    assert rooms.simulated and rooms.names == ["room-101"]
    assert rooms.source == f"simulated rooms from {EXAMPLE_ROOMS}"


def test_a_rooms_file_drives_its_devices_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text("rooms:\n  - name: phong-a2\n    devices: []\n", encoding="utf-8")
    real = RoomService.open(settings(tmp_path, rooms_file=path))
    assert (real.simulated, real.names, real.source) == (False, ["phong-a2"], f"rooms from {path}")
    assert RoomService.open(settings(tmp_path, rooms_file=path, rooms_simulated=True)).simulated
    none = RoomService.open(settings(tmp_path, rooms_simulated=False))
    assert (none.names, none.source) == ([], "no rooms")


def test_a_wrong_rooms_file_stops_the_server_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text("rooms:\n  - name: a\n    devices:\n      - {name: x, protocol: pjlink}\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"rooms_file: .*rooms.yaml:4: room 'a', device 'x', field 'host'"):
        RoomService.open(settings(tmp_path, rooms_file=path))


async def test_not_ready_and_unknown_rooms(tmp_path: Path) -> None:
    rooms = RoomService.open(settings(tmp_path))
    with pytest.raises(RoomsStarting):
        rooms.get("room-101")
    with pytest.raises(NotFound, match="no room 'x'"):
        rooms.get("x")
    empty = RoomService()
    empty.launch(open_database("sqlite://"), NobodyLive())
    await empty.ready.wait()
    assert empty.controllers() == []
    await empty.stop()


async def test_the_calendar_reads_bookings(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'db'}")
    now = datetime.now(UTC)
    planned = classes.create(db, "A", "room-101", starts_at=now, ends_at=now + timedelta(hours=1))
    classes.create(db, "B", "room-102", starts_at=now, ends_at=now + timedelta(hours=1))

    class OneOnline(NobodyLive):
        def participant_count(self, class_id: str) -> int:
            return 1 if class_id == planned.id else 0

    (booking,) = await DatabaseCalendar(db, OneOnline()).bookings("room-101")
    assert (booking.class_id, booking.live, booking.ends_at) == (planned.id, True, planned.ends_at)


async def test_the_audit_sink_writes_rows(tmp_path: Path) -> None:
    log = AuditLog(open_database(f"sqlite:///{tmp_path / 'db'}"))
    entry = LogEntry(
        at=datetime(2025, 3, 10, tzinfo=UTC), room="room-101", actor=Actor(kind=ActorKind.LECTURER, name="Lan"),
        target="lectern", action="camera camera to position", result="ok",
    )  # fmt: skip
    await AuditSink(log)(entry)
    (row,) = log.entries()
    assert (row.actor_kind, row.actor_name, row.target, row.result) == ("lecturer", "Lan", "lectern", "ok")
