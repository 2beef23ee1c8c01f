"""Room events travel as JSON and come back as the same typed messages."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import TypeAdapter

from devices.room.actor import Actor, ActorKind
from devices.room.events import LogEntry, LogEvent, RoomEvent

EVENT: TypeAdapter[RoomEvent] = TypeAdapter(RoomEvent)


def test_a_log_event_round_trips() -> None:
    entry = LogEntry(
        at=datetime(2025, 3, 10, 1, 0, tzinfo=UTC), room="room-101", actor=Actor(kind=ActorKind.TECHNICIAN, name="A"),
        target="display", action="input hdmi1", result="ok",
    )  # fmt: skip
    event = LogEvent(room="room-101", entry=entry)
    assert EVENT.validate_json(event.model_dump_json()) == event
    assert event.model_dump(mode="json")["entry"]["actor"] == {"kind": "technician", "name": "A", "class_id": None}
