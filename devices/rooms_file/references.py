"""Cross-references inside one room: steps and positions must name devices of the right kind.

Field validation cannot see the rest of the room, so this runs once the room is parsed. Each
problem carries its location below the room (``("scenes", 0, "steps", 2, "device")``) so that
the rooms-file loader can point at the exact line; built in code, a room raises the same
`ReferenceProblems` with every problem in its message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from devices.rooms_file.device_config import DeviceConfig
from devices.drivers.base import DeviceKind
from devices.commands import Power, not_for
from devices.rooms_file.positions import CameraPosition
from devices.rooms_file.scenes import Scene
from devices.rooms_file.room_schedule import RoomSchedule
from devices.rooms_file.scene_steps import PositionStep, WaitReadyStep, WaitStep

Location = tuple[str | int, ...]


class ReferenceProblems(ValueError):
    """Every dangling or mistyped reference of a room, each with its location."""

    def __init__(self, problems: list[tuple[Location, str]]) -> None:
        super().__init__("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems))
        self.problems = problems


class _Room(Protocol):
    @property
    def devices(self) -> Sequence[DeviceConfig]: ...
    @property
    def positions(self) -> Sequence[CameraPosition]: ...
    @property
    def scenes(self) -> Sequence[Scene]: ...
    @property
    def schedule(self) -> RoomSchedule: ...


def _duplicates(items: Sequence[CameraPosition | Scene]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    twice = []
    for index, item in enumerate(items):
        if item.name in seen:
            twice.append((index, item.name))
        seen.add(item.name)
    return twice


def problems(room: _Room) -> list[tuple[Location, str]]:
    devices = {d.name: d for d in room.devices}
    known = ", ".join(devices) or "none"
    found: list[tuple[Location, str]] = []

    def device(loc: Location, name: str, kinds: tuple[DeviceKind, ...]) -> None:
        cfg = devices.get(name)
        if cfg is None:
            found.append((loc, f"no device {name!r} in this room (devices: {known})"))
        elif cfg.kind not in kinds:
            found.append((loc, not_for(name, cfg.kind, kinds)))

    for i, name in _duplicates(room.positions):
        found.append((("positions", i, "name"), f"position {name!r} is named twice"))
    for i, name in _duplicates(room.scenes):
        found.append((("scenes", i, "name"), f"scene {name!r} is named twice"))
    for i, position in enumerate(room.positions):
        device(("positions", i, "camera"), position.camera, (DeviceKind.CAMERA,))
    positions = {p.name for p in room.positions}
    for s, scene in enumerate(room.scenes):
        for i, step in enumerate(scene.steps):
            loc: Location = ("scenes", s, "steps", i)
            if isinstance(step, PositionStep):
                if step.position not in positions:
                    listed = ", ".join(sorted(positions)) or "none"
                    found.append(((*loc, "position"), f"no position {step.position!r} (positions: {listed})"))
            elif isinstance(step, WaitReadyStep):
                device((*loc, "device"), step.device, Power.kinds)  # waits until it reports on
            elif not isinstance(step, WaitStep):
                device((*loc, "device"), step.device, step.command().kinds)
    scenes = {scene.name for scene in room.scenes}
    for field in ("start_scene", "end_scene", "idle_scene"):
        name = getattr(room.schedule, field)
        if name is not None and name not in scenes:
            listed = ", ".join(sorted(scenes)) or "none"
            found.append((("schedule", field), f"no scene {name!r} (scenes: {listed})"))
    return found


def check(room: _Room) -> None:
    found = problems(room)
    if found:
        raise ReferenceProblems(found)
