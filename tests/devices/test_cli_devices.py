"""The technician CLI against the Shure and ONVIF simulators: what the drivers can do, the
CLI offers (typer's CliRunner in a worker thread, so the simulators keep serving on the loop)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from devices.cli import _standalone
from devices.shure.values import gain_raw
from devices.sim.onvif.simulator import OnvifSimulator
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.sim.shure.simulator import ShureSimulator
from devices.sim.visca.simulator import ViscaSimulator
from tests.devices.onvif.helpers import http_port
from tests.support.clock import ManualClock

app = _standalone()
CLOCK = ManualClock(1000.0)  # drives the ONVIF simulator's PTZ motion


async def run(*args: str, cli: typer.Typer = app) -> Result:
    """Invoke the CLI in a thread: its asyncio.run gets its own loop, ours keeps the simulators."""
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args))


def rooms_file(tmp_path: Path, *devices: dict[str, object]) -> Path:
    path = tmp_path / "rooms.yaml"
    path.write_text(yaml.safe_dump({"rooms": [{"name": "room-101", "devices": list(devices)}]}))
    return path


@pytest.fixture
async def shure() -> AsyncIterator[ShureSimulator]:
    simulator = ShureSimulator(channels=4)
    await simulator.start()
    yield simulator
    await simulator.stop()


def mic(sim: ShureSimulator) -> dict[str, object]:
    return {"name": "mic", "protocol": "shure", "host": "127.0.0.1", "port": sim.port, "channels": 4}


async def test_mic_gain_without_a_channel_sets_every_channel(shure: ShureSimulator, tmp_path: Path) -> None:
    path = rooms_file(tmp_path, mic(shure))
    result = await run("device", "-c", str(path), "room-101/mic", "gain", "-6")
    assert result.exit_code == 0, result.output
    assert [channel.gain for channel in shure.state.channels] == [int(gain_raw(-6.0))] * 4
    result = await run("device", "-c", str(path), "room-101/mic", "gain", "3", "--channel", "2")
    assert result.exit_code == 0, result.output
    assert [channel.gain for channel in shure.state.channels] == [int(gain_raw(g)) for g in (-6, 3, -6, -6)]


@pytest.fixture
async def onvif() -> AsyncIterator[OnvifSimulator]:
    simulator = OnvifSimulator(username="tech", password="s3cret", discovery=False, clock=CLOCK)
    await simulator.start()
    yield simulator
    await simulator.stop()


def camera(sim: OnvifSimulator, password: str = "s3cret") -> dict[str, object]:
    return {
        "name": "camera", "protocol": "onvif", "host": "127.0.0.1", "port": http_port(sim.endpoints),
        "username": "tech", "password": password, "timeout": 2,
    }  # fmt: skip


@pytest.mark.parametrize("words", [["move", "left"], ["home"], ["preset", "recall", "1"]])
async def test_an_onvif_camera_that_is_down_is_offline_not_without_controls(
    onvif: OnvifSimulator, tmp_path: Path, words: list[str]
) -> None:
    path = rooms_file(tmp_path, camera(onvif))
    await onvif.stop()
    result = await run("device", "-c", str(path), "room-101/camera", *words)
    assert result.exit_code == 4, result.output
    assert "no pan/tilt" not in result.stderr and "connection failed" in result.stderr


@pytest.mark.parametrize("words", [["move", "left"], ["home"], ["status"]])
async def test_a_wrong_onvif_password_is_an_auth_error(
    onvif: OnvifSimulator, tmp_path: Path, words: list[str]
) -> None:
    path = rooms_file(tmp_path, camera(onvif, password="wrong"))
    result = await run("device", "-c", str(path), "room-101/camera", *words)
    assert result.exit_code == 8, result.output


async def test_a_wrong_pjlink_password_is_8_for_status_too(tmp_path: Path) -> None:
    sim = PJLinkSimulator(password="right")
    await sim.start()
    try:
        projector = {"name": "projector", "protocol": "pjlink", "host": "127.0.0.1", "port": sim.port,
                     "password": "wrong", "timeout": 1}  # fmt: skip
        path = rooms_file(tmp_path, projector)
        for words in (["status"], ["power", "on"]):
            result = await run("device", "-c", str(path), "room-101/projector", *words)
            assert result.exit_code == 8, (words, result.output)
    finally:
        await sim.stop()


async def test_a_slow_udp_camera_is_a_timeout_not_offline(tmp_path: Path) -> None:
    sim = ViscaSimulator()
    await sim.start()
    sim.faults.slow_answer = 1.0
    try:
        visca = {"name": "camera", "protocol": "visca", "timeout": 0.3,
                 "link": {"transport": "udp", "host": "127.0.0.1", "port": sim.udp_port}}  # fmt: skip
        path = rooms_file(tmp_path, visca)
        for words in (["home"], ["status"]):
            result = await run("device", "-c", str(path), "room-101/camera", *words)
            assert result.exit_code == 5, (words, result.output)
    finally:
        await sim.stop()


async def test_the_onvif_extras_are_on_the_cli(onvif: OnvifSimulator, tmp_path: Path) -> None:
    path = rooms_file(tmp_path, camera(onvif))
    base = ("device", "-c", str(path), "room-101/camera")
    result = await run(*base, "profiles", "--json")
    assert result.exit_code == 0, result.output
    profiles = json.loads(result.stdout)["result"]
    assert profiles and all("token" in profile for profile in profiles)
    result = await run(*base, "stream-uri")
    assert result.exit_code == 0 and "rtsp://" in result.stdout, result.output
    result = await run(*base, "snapshot-uri", "--json")
    assert json.loads(result.stdout)["result"].startswith("http://")
    result = await run(*base, "go-to", "-0.5", "0.25", "0.5")
    assert result.exit_code == 0, result.output
    CLOCK.now += 10  # the simulated head travels at 1 unit/s
    result = await run(*base, "position", "--json")
    assert json.loads(result.stdout)["result"] == {"pan": -0.5, "tilt": 0.25, "zoom": 0.5}
    result = await run(*base, "preset", "save", "3")
    assert result.exit_code == 0, result.output
    result = await run(*base, "presets", "--json")
    numbers = [preset["number"] for preset in json.loads(result.stdout)["result"]]
    assert 3 in numbers
    result = await run(*base, "presets")
    assert result.exit_code == 0 and "number=3" in result.stdout


async def test_a_visca_camera_cannot_list_presets_or_streams(tmp_path: Path) -> None:
    sim = ViscaSimulator()
    await sim.start()
    try:
        visca = {"name": "camera", "protocol": "visca",
                 "link": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port}}  # fmt: skip
        path = rooms_file(tmp_path, visca)
        result = await run("device", "-c", str(path), "room-101/camera", "presets")
        assert result.exit_code == 9 and "cannot list its presets" in result.stderr
        result = await run("device", "-c", str(path), "room-101/camera", "stream-uri")
        assert result.exit_code == 9
        result = await run("device", "-c", str(path), "room-101/camera", "go-to", "-600", "150", "4000")
        assert result.exit_code == 0, result.output
        assert (sim.camera.pan.target, sim.camera.tilt.target, sim.camera.zoom.target) == (-600, 150, 4000)
    finally:
        await sim.stop()
