"""The technician CLI against the Shure and ONVIF simulators: what the drivers can do, the
CLI offers (typer's CliRunner in a worker thread, so the simulators keep serving on the loop)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from devices.cli import _standalone
from devices.shure.values import gain_raw
from devices.sim.shure.simulator import ShureSimulator

app = _standalone()


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
