"""All the rooms of a rooms file, each under its `RoomController`; or the same on simulators.

`RoomFleet(rooms)` builds every device's driver through the registry and one controller per
room. `RoomFleet.simulated(rooms)` first starts a simulator for every device on loopback
(any free port, whatever ports the file names; a fresh password where the file asks for
one) and drives those instead: what ``classbridge serve`` runs when no rooms file is
configured, so a newcomer's console shows a working room, and what tests and the
offline/online benchmark use.

Drivers are built with their own health pollers idle: supervision polls each device at its
protocol's pace (devices/room/supervisor.py) and must not double the traffic on the wire.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from devices.rooms_file.device_config import DeviceConfig
from devices.drivers.base import AnyDevice
from devices.registry import driver_class
from devices.room.controller import RoomController
from devices.room.errors import NotFound
from devices.rooms_file import RoomsFile
from devices.sim.rooms import SimulatedRooms

IDLE_POLL = 3600.0  # seconds: the driver's own poller, left to tick once an hour


def build_driver(cfg: DeviceConfig) -> AnyDevice:
    device: AnyDevice = driver_class(cfg.protocol).from_config(cfg.model_copy(update={"poll_interval": IDLE_POLL}))
    return device


def for_simulation(cfg: DeviceConfig) -> DeviceConfig:
    """The device as its simulator should serve it: on any free port, with a fresh password.

    Simulators bind the port a file names explicitly (devices/registry.py), so the copy no
    longer names one; a demo must never collide with a real service or another demo.
    """
    values = dict(cfg)
    fields = set(cfg.model_fields_set) - {"port"}
    if "password_env" in values:
        values.update(password=secrets.token_urlsafe(12), password_env=None)
        fields |= {"password", "password_env"}
    link = values.get("link")
    if link is not None and link.transport != "serial":
        values["link"] = type(link).model_construct(
            _fields_set=set(link.model_fields_set) - {"port"}, **dict(link)
        )
    return type(cfg).model_construct(_fields_set=fields, **values)


class RoomFleet:
    def __init__(self, rooms: RoomsFile, **controller_options: Any) -> None:
        """`controller_options` go to every `RoomController` (audit sink, clocks, paces)."""
        self.rooms = rooms
        self.controllers = {
            room.name: RoomController(
                room, {cfg.name: build_driver(cfg) for cfg in room.devices}, **controller_options
            )
            for room in rooms.rooms
        }
        self.simulated: SimulatedRooms | None = None

    @classmethod
    async def simulated_from(cls, rooms: RoomsFile, **controller_options: Any) -> RoomFleet:
        """Start simulators for every device of `rooms`, and a fleet (not started) driving them."""
        unpinned = rooms.model_copy(
            update={
                "rooms": [
                    room.model_copy(update={"devices": [for_simulation(d) for d in room.devices]})
                    for room in rooms.rooms
                ]
            }
        )
        simulated = SimulatedRooms(unpinned)
        await simulated.start()
        try:
            fleet = cls(RoomsFile.model_validate(simulated.derived()), **controller_options)
        except BaseException:
            await simulated.stop()
            raise
        fleet.simulated = simulated
        return fleet

    def simulator(self, ref: str) -> Any:
        """The simulator of ``room/device`` (a simulated fleet only)."""
        running = self.simulated.running if self.simulated is not None else []
        for each in running:
            if each.ref == ref:
                return each.simulator
        raise NotFound("simulated device", ref, [each.ref for each in running])

    def get(self, name: str) -> RoomController:
        try:
            return self.controllers[name]
        except KeyError:
            raise NotFound("room", name, self.controllers) from None

    async def start(self) -> None:
        await asyncio.gather(*(c.start() for c in self.controllers.values()))

    async def stop(self) -> None:
        await asyncio.gather(*(c.stop() for c in self.controllers.values()))
        if self.simulated is not None:
            await self.simulated.stop()
