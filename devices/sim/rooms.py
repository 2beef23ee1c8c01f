"""Simulators for every device of a rooms file, and a rooms file that points at them.

`SimulatedRooms.start` asks the registry for each protocol's simulator, starts it on
loopback and records where it listens; a protocol whose simulator is not in this build is
skipped with a reason. `derived` rewrites each device's address to its simulator, so that
``classbridge device --config <derived file> ...`` drives the simulators with no hardware.

Endpoint convention (see devices/registry.py): a simulator's ``start()`` returns
``{name: address}``; a device with a ``link`` block uses the endpoint named after its
transport (``serial`` is a path, ``tcp``/``udp`` are ``host:port``); a device with
``host``/``port`` uses the ``tcp`` or ``http`` endpoint, else the first one (an address may
be a URL such as ``http://127.0.0.1:8080/onvif/device_service``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from devices.rooms_file.device_config import DeviceConfig
from devices.registry import simulator_class
from devices.rooms_file import Room, RoomsFile

log = logging.getLogger(__name__)


@dataclass
class Running:
    room: Room
    device: DeviceConfig
    simulator: Any
    endpoints: dict[str, str]

    @property
    def ref(self) -> str:
        return f"{self.room.name}/{self.device.name}"


class SimulatedRooms:
    def __init__(self, rooms: RoomsFile) -> None:
        self.rooms = rooms
        self.running: list[Running] = []
        self.skipped: list[tuple[str, str]] = []  # (room/device, why)

    async def start(self) -> None:
        for room, device in self.rooms.devices():
            ref = f"{room.name}/{device.name}"
            try:
                simulator = simulator_class(device.protocol).from_config(device)
            except ImportError:
                self.skipped.append((ref, f"no {device.protocol} simulator in this build yet"))
                continue
            endpoints = await simulator.start()
            self.running.append(Running(room, device, simulator, endpoints))

    async def stop(self) -> None:
        for running in reversed(self.running):
            try:
                await running.simulator.stop()
            except Exception:  # stopping the others matters more
                log.exception("stopping the simulator of %s failed", running.ref)
        self.running.clear()

    def derived(self) -> dict[str, Any]:
        """A rooms file, as plain data, of the simulated devices pointing at their simulators.

        Devices without a simulator are left out (their real addresses must not be dialled
        by mistake). Secrets are not written: a device keeps its ``password_env`` and loses
        the password resolved from it. Each room keeps its positions, scenes and schedule.
        """
        rooms: dict[str, list[dict[str, Any]]] = {room.name: [] for room in self.rooms.rooms}
        for running in self.running:
            data = running.device.model_dump(mode="json", exclude_defaults=True)
            if data.get("password_env"):
                data.pop("password", None)
            _point_at(data, running.device, running.endpoints)
            rooms[running.room.name].append(data)
        return {
            "rooms": [
                {
                    **room.model_dump(mode="json", exclude={"devices"}, exclude_defaults=True),
                    "devices": rooms[room.name],
                }
                for room in self.rooms.rooms
            ]
        }


def _point_at(data: dict[str, Any], device: DeviceConfig, endpoints: dict[str, str]) -> None:
    link = getattr(device, "link", None)
    if link is not None:
        address = endpoints.get(link.transport)
        if address is None:
            raise ValueError(f"the simulator offers {sorted(endpoints)}, not {link.transport}")
        if link.transport == "serial":
            data["link"] = {"transport": "serial", "port": address, "baudrate": link.baudrate}
        else:
            host, port = _host_port(address)
            data["link"] = {"transport": link.transport, "host": host, "port": port}
        return
    name = next((n for n in ("tcp", "http") if n in endpoints), next(iter(endpoints)))
    data["host"], data["port"] = _host_port(endpoints[name])


def _host_port(address: str) -> tuple[str, int]:
    parts = urlsplit(address if "://" in address else f"//{address}")
    if parts.hostname is None or parts.port is None:
        raise ValueError(f"simulator address {address!r} has no host:port")
    return parts.hostname, parts.port
