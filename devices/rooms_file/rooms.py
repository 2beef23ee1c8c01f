"""A rooms file's top level: its rooms, each with devices, camera positions, scenes and a
schedule (the models of each part are the other modules of this package).

References between the parts of a room (a step naming a device of the right kind, a schedule
naming a scene) are checked once the room is parsed (references.py).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from devices.errors import ConfigError
from devices.rooms_file import references
from devices.rooms_file.device_config import DeviceConfig
from devices.rooms_file.names import check_name
from devices.rooms_file.positions import CameraPosition
from devices.rooms_file.room_schedule import RoomSchedule
from devices.rooms_file.scenes import Scene


def _check_unique(rule: str, names: list[str]) -> None:
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(f"{rule}: {', '.join(twice)}")


class Room(BaseModel):
    """One room: its devices (names unique within the room), camera positions and scenes."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, AfterValidator(check_name)]
    title: str | None = Field(None, max_length=100, description="Shown in the console.")
    devices: list[DeviceConfig] = Field(default_factory=list)
    positions: list[CameraPosition] = Field(default_factory=list)
    scenes: list[Scene] = Field(default_factory=list)
    schedule: RoomSchedule = Field(default_factory=RoomSchedule)

    @field_validator("devices")
    @classmethod
    def _unique(cls, devices: list[DeviceConfig]) -> list[DeviceConfig]:
        _check_unique("device names must be unique in a room", [d.name for d in devices])
        return devices

    @model_validator(mode="after")
    def _references(self) -> Room:
        references.check(self)
        return self

    def scene(self, name: str) -> Scene | None:
        return next((s for s in self.scenes if s.name == name), None)

    def position(self, name: str) -> CameraPosition | None:
        return next((p for p in self.positions if p.name == name), None)


class RoomsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rooms: list[Room] = Field(min_length=1)

    @field_validator("rooms")
    @classmethod
    def _unique(cls, rooms: list[Room]) -> list[Room]:
        _check_unique("room names must be unique", [room.name for room in rooms])
        return rooms

    def devices(self) -> list[tuple[Room, DeviceConfig]]:
        return [(room, device) for room in self.rooms for device in room.devices]

    def device(self, ref: str) -> tuple[Room, DeviceConfig]:
        """The device named ``room/device``."""
        room_name, _, device_name = ref.partition("/")
        for room, device in self.devices():
            if room.name == room_name and device.name == device_name:
                return room, device
        known = ", ".join(f"{r.name}/{d.name}" for r, d in self.devices()) or "none"
        raise ConfigError(f"no device {ref!r} in the rooms file (known: {known})")
