"""A small room on real simulators over loopback TCP: camera, LED wall, projector, microphone.

Timings are shrunk (polls every 0.1 s, a 0.4 s projector warm-up, 0.5 s answer timeouts) so
that supervision, warm-ups and drift corrections happen within a test's second or two.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from devices.sim.mdc.simulator import MdcSimulator
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.room.controller import RoomController
from devices.room.events import LogEntry, RoomEvent
from devices.room.fleet import build_driver
from devices.rooms_file import Room
from devices.sim.shure.simulator import ShureSimulator
from devices.sim.visca.camera import SimulatedCamera
from devices.sim.visca.simulator import ViscaSimulator
from tests.support.wait import DEADLINE, until

PACE = 0.1
WARM_UP = 0.4


@dataclass
class Simulators:
    camera: ViscaSimulator
    display: MdcSimulator
    projector: PJLinkSimulator
    mic: ShureSimulator

    def devices(self) -> list[dict[str, Any]]:
        tcp = {"transport": "tcp", "host": "127.0.0.1"}
        return [
            {"name": "camera", "role": "main-camera", "protocol": "visca", "presets": 8,
             "link": {**tcp, "port": self.camera.tcp_port}, "timeout": 0.5},
            {"name": "display", "role": "led-wall", "protocol": "mdc",
             "link": {**tcp, "port": self.display.port}, "timeout": 0.5},
            {"name": "projector", "role": "projector", "protocol": "pjlink", "host": "127.0.0.1",
             "port": self.projector.port, "password": "pj", "timeout": 0.5},
            {"name": "mic", "role": "ceiling-mic", "protocol": "shure", "host": "127.0.0.1",
             "port": self.mic.port, "channels": 4, "timeout": 0.5},
        ]  # fmt: skip


@pytest.fixture
async def sims() -> AsyncIterator[Simulators]:
    simulators = Simulators(
        ViscaSimulator(SimulatedCamera(preset_slots=8)),
        MdcSimulator(serial=False),
        PJLinkSimulator(password="pj", warm_up=WARM_UP, cool_down=0.2),
        ShureSimulator(channels=4),
    )
    for sim in (simulators.camera, simulators.display, simulators.projector, simulators.mic):
        await sim.start()
    yield simulators
    for sim in (simulators.camera, simulators.display, simulators.projector, simulators.mic):
        await sim.stop()


@dataclass
class Running:
    controller: RoomController
    events: list[RoomEvent] = field(default_factory=list)
    audited: list[LogEntry] = field(default_factory=list)

    async def until(
        self, check: Callable[[], object], timeout: float = DEADLINE, what: str = "condition"
    ) -> None:
        """Wait for `check`, looked at on each room event and every 20 ms (the simulators'
        state, which tests often wait on, announces nothing)."""
        await until(
            check,
            timeout,
            what,
            describe=lambda: f"last room events: {self.events[-5:]!r}",
            wake=self.controller.subscribe,
            interval=0.02,
        )


MakeRoom = Callable[..., Awaitable[Running]]


@pytest.fixture
async def make_room(sims: Simulators) -> AsyncIterator[MakeRoom]:
    started: list[RoomController] = []

    async def make(*, options: dict[str, Any] | None = None, **parts: Any) -> Running:
        """A started controller of a room with `parts` (scenes, positions...); `options` go
        to the controller (clocks)."""
        room = Room.model_validate({"name": "room-101", "devices": sims.devices(), **parts})
        running = Running(controller=None)  # type: ignore[arg-type]

        async def audit(entry: LogEntry) -> None:
            running.audited.append(entry)

        controller = RoomController(
            room,
            {cfg.name: build_driver(cfg) for cfg in room.devices},
            audit=audit,
            paces={cfg.name: PACE for cfg in room.devices},
            ready_poll=0.05,
            **(options or {}),
        )
        running.controller = controller
        controller.subscribe(running.events.append)
        await controller.start()
        started.append(controller)
        await running.until(lambda: all(d.polled_at for d in controller.view().devices))
        return running

    yield make
    for controller in started:
        await controller.stop()
