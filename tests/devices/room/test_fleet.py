"""The example room on simulators: any free port, fresh passwords, a working controller."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.rooms_file.device_config import MdcDisplayConfig, PJLinkProjectorConfig
from devices.drivers.base import LinkState
from devices.room.actor import Actor, ActorKind
from devices.room.errors import NotFound
from devices.room.fleet import RoomFleet, for_simulation
from devices.room.scene_run import RunState
from devices.rooms_file import load_rooms

EXAMPLE = Path(__file__).parents[3] / "config" / "rooms.example.yaml"


def test_for_simulation_unpins_ports_and_invents_passwords() -> None:
    projector = PJLinkProjectorConfig(name="p", protocol="pjlink", host="h", port=4352, password_env="X")
    copy = for_simulation(projector)
    assert "port" not in copy.model_fields_set and copy.password_env is None
    assert isinstance(copy, PJLinkProjectorConfig) and copy.password and len(copy.password) >= 12
    display = MdcDisplayConfig.model_validate(
        {"name": "d", "protocol": "mdc", "link": {"transport": "tcp", "host": "h", "port": 1515}}
    )
    assert "port" not in for_simulation(display).link.model_fields_set  # type: ignore[attr-defined]


async def test_the_example_room_runs_on_simulators() -> None:
    rooms = load_rooms(EXAMPLE, environ={}, require_secrets=False)
    fleet = await RoomFleet.simulated_from(rooms, ready_poll=0.1)
    await fleet.start()
    try:
        controller = fleet.get("room-101")
        view = controller.view()
        assert {d.name: d.link for d in view.devices} == {
            name: LinkState.ONLINE for name in ("camera", "camera-wide", "display", "projector", "mic")
        }
        assert [s.name for s in view.scenes] == ["start", "presentation", "discussion", "end"]
        run = await controller.run_scene("start", Actor(kind=ActorKind.SCHEDULE, name="demo"))
        assert run.state is RunState.SUCCEEDED, run.summary
        projector = fleet.simulator("room-101/projector")
        assert projector.password and projector.port != 4352
        with pytest.raises(NotFound, match="no simulated device 'room-101/nope'"):
            fleet.simulator("room-101/nope")
        with pytest.raises(NotFound, match="no room 'room-999' \\(known: room-101\\)"):
            fleet.get("room-999")
    finally:
        await fleet.stop()
