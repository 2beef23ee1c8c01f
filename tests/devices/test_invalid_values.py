"""A value outside what the device takes is one error for every protocol: the CLI's exit 2
(and the API's 422 `invalid_value`, tests/signaling/test_rooms_api.py), raised before anything
is sent, as `InvalidValue`. Each row runs the real CLI against the protocol's simulator."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from devices.cli import _standalone
from devices.drivers.base import PanTiltZoom
from devices.errors import InvalidValue
from devices.rooms_file.device_config import ViscaCameraConfig
from devices.sim.mdc.simulator import MdcSimulator
from devices.sim.onvif.simulator import OnvifSimulator
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.sim.shure.simulator import ShureSimulator
from devices.sim.visca.simulator import ViscaSimulator
from devices.visca.driver import ViscaCamera
from tests.devices.onvif.helpers import http_port

app = _standalone()


@pytest.fixture
async def rooms(tmp_path: Path) -> AsyncIterator[Path]:
    visca, mdc, pjlink = ViscaSimulator(), MdcSimulator(serial=False), PJLinkSimulator(warm_up=0, cool_down=0)
    shure, onvif = ShureSimulator(channels=2), OnvifSimulator(username="tech", password="pw", discovery=False)
    sims = (visca, mdc, pjlink, shure, onvif)
    for sim in sims:
        await sim.start()
    tcp = {"transport": "tcp", "host": "127.0.0.1"}
    devices = [
        {"name": "camera", "protocol": "visca", "link": {**tcp, "port": visca.tcp_port}, "presets": 16},
        {"name": "ptz", "protocol": "onvif", "host": "127.0.0.1", "port": http_port(onvif.endpoints),
         "username": "tech", "password": "pw"},
        {"name": "wall", "protocol": "mdc", "link": {**tcp, "port": mdc.port}},
        {"name": "projector", "protocol": "pjlink", "host": "127.0.0.1", "port": pjlink.port},
        {"name": "mic", "protocol": "shure", "host": "127.0.0.1", "port": shure.port, "channels": 2},
    ]  # fmt: skip
    path = tmp_path / "rooms.yaml"
    path.write_text(yaml.safe_dump({"rooms": [{"name": "room-101", "devices": devices}]}))
    yield path
    for sim in sims:
        await sim.stop()


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("camera", ["preset", "recall", "20"]),
        ("camera", ["go-to", "0.5", "0.25", "0"]),
        ("ptz", ["go-to", "3", "0", "0"]),
        ("wall", ["input", "scart"]),
        ("wall", ["input", "hdmi1_pc"]),
        ("projector", ["input", "hdmi9"]),
        ("mic", ["gain", "31"]),
        ("mic", ["mute", "on", "--channel", "3"]),
        ("mic", ["gain", "0", "--channel", "3"]),
    ],
)
async def test_an_out_of_range_value_is_exit_2_for_every_protocol(rooms: Path, target: str, words: list[str]) -> None:
    args = ["device", "-c", str(rooms), f"room-101/{target}", *words]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 2, result.output
    assert "understands" not in result.stderr and "usage" not in result.stderr  # a value, not the words


async def test_visca_go_to_refuses_a_fraction_instead_of_rounding_it_to_zero() -> None:
    sim = ViscaSimulator()
    await sim.start()
    link = {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port}
    camera = ViscaCamera.from_config(ViscaCameraConfig.model_validate({"name": "cam", "protocol": "visca", "link": link}))
    await camera.start()
    try:
        await camera.go_to(PanTiltZoom(300, 100, 1000))
        with pytest.raises(InvalidValue, match="whole number"):
            await camera.go_to(PanTiltZoom(0.5, 0.25, 0.0))
        assert (sim.camera.pan.target, sim.camera.tilt.target) == (300, 100)
    finally:
        await camera.stop()
        await sim.stop()


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("camera", ["home"]),
        ("ptz", ["move", "left"]),
        ("wall", ["power", "on"]),
        ("projector", ["power", "on"]),
        ("mic", ["mute", "on"]),
    ],
)
async def test_a_device_that_is_down_is_exit_4_for_commands_and_status_for_every_protocol(
    tmp_path: Path, target: str, words: list[str]
) -> None:
    """Every simulator started (to learn free ports) and stopped again: nothing listens."""
    visca, mdc, pjlink = ViscaSimulator(), MdcSimulator(serial=False), PJLinkSimulator()
    shure, onvif = ShureSimulator(channels=2), OnvifSimulator(username="tech", password="pw", discovery=False)
    for sim in (visca, mdc, pjlink, shure, onvif):
        await sim.start()
    tcp = {"transport": "tcp", "host": "127.0.0.1"}
    devices = [
        {"name": "camera", "protocol": "visca", "link": {**tcp, "port": visca.tcp_port}},
        {"name": "ptz", "protocol": "onvif", "host": "127.0.0.1", "port": http_port(onvif.endpoints),
         "username": "tech", "password": "pw"},
        {"name": "wall", "protocol": "mdc", "link": {**tcp, "port": mdc.port}},
        {"name": "projector", "protocol": "pjlink", "host": "127.0.0.1", "port": pjlink.port},
        {"name": "mic", "protocol": "shure", "host": "127.0.0.1", "port": shure.port, "channels": 2},
    ]  # fmt: skip
    for sim in (visca, mdc, pjlink, shure, onvif):
        await sim.stop()
    path = tmp_path / "rooms.yaml"
    path.write_text(yaml.safe_dump({"rooms": [{"name": "room-101", "devices": devices}]}))
    for action in (words, ["status"]):
        args = ["device", "-c", str(path), f"room-101/{target}", *action]
        result = await asyncio.to_thread(CliRunner().invoke, app, args)
        assert result.exit_code == 4, (action, result.output)
