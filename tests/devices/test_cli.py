"""The technician CLI against a running VISCA simulator (typer's CliRunner in a worker thread,
so the simulator keeps serving on the test's loop), plus `python -m devices.cli` as a real
subprocess for `simulate` and Ctrl-C."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner, Result

from devices import registry
from devices.cli import EXIT_CODES, _standalone, device_app, simulate
from devices.rooms_file import load_rooms
from devices.sim.visca.simulator import ViscaSimulator

ROOT = Path(__file__).parents[2]
app = _standalone()


def rooms_yaml(sim: ViscaSimulator, transport: str = "tcp", timeout: float = 0.5) -> str:
    links = {
        "tcp": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port},
        "udp": {"transport": "udp", "host": "127.0.0.1", "port": sim.udp_port},
        "serial": {"transport": "serial", "port": sim.serial_path},
    }
    camera = {"name": "camera", "protocol": "visca", "link": links[transport], "timeout": timeout}
    display = {
        "name": "display",
        "protocol": "mdc",
        "link": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port},
    }
    return yaml.safe_dump({"rooms": [{"name": "room-101", "devices": [camera, display]}]})


@pytest.fixture(autouse=True)
def no_display_driver(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rooms here name an MDC display whose driver module is not built, whatever other
    branches add, so that the 'unsupported' paths stay testable."""
    monkeypatch.setitem(registry.DRIVERS, "mdc", "devices.not_built:MdcDisplay")


@pytest.fixture
async def sim() -> AsyncIterator[ViscaSimulator]:
    simulator = ViscaSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def rooms(sim: ViscaSimulator, tmp_path: Path) -> Path:
    path = tmp_path / "rooms.yaml"
    path.write_text(rooms_yaml(sim))
    return path


SECRETS = {"ROOM101_ONVIF_PASSWORD": "x", "ROOM101_PJLINK_PASSWORD": "y"}


async def run(*args: str, cli: typer.Typer = app, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI in a thread: its asyncio.run gets its own loop, ours keeps the sim."""
    return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)


async def test_help_documents_the_exit_codes() -> None:
    result = await run("device", "--help")
    assert result.exit_code == 0
    for _, code, why in EXIT_CODES:
        assert f"{code} {why}" in " ".join(result.output.split())


async def test_list_json(rooms: Path, sim: ViscaSimulator) -> None:
    result = await run("device", "--config", str(rooms), "list", "--json")
    assert result.exit_code == 0, result.output
    camera, display = json.loads(result.stdout)
    assert camera["device"] == "room-101/camera" and camera["link"] == "online"
    assert camera["power"] is True and set(camera["values"]) == {"pan", "tilt", "zoom"}
    assert display["link"] == "unsupported" and "no mdc driver" in display["detail"]
    assert display["address"] == f"tcp 127.0.0.1:{sim.tcp_port}"


async def test_list_table(rooms: Path) -> None:
    result = await run("device", "--config", str(rooms), "list")
    assert result.exit_code == 0
    assert "room-101/camera" in result.stdout and "online" in result.stdout


async def test_camera_actions(rooms: Path, sim: ViscaSimulator) -> None:
    base = ("device", "--config", str(rooms), "room-101/camera")
    result = await run(*base, "preset", "save", "2")
    assert (result.exit_code, result.stdout) == (0, "room-101/camera: preset save 2: done\n")
    assert 2 in sim.camera.presets
    result = await run(*base, "move", "left", "--speed", "1", "--for", "0.05")
    assert result.exit_code == 0
    assert sim.camera.pan.position < 0 and sim.camera.pan.velocity == 0
    result = await run(*base, "preset", "recall", "2", "--json")
    assert json.loads(result.stdout) == {
        "device": "room-101/camera",
        "action": "preset recall 2",
        "result": None,
    }
    result = await run(*base, "position", "--json")
    assert set(json.loads(result.stdout)["result"]) == {"pan", "tilt", "zoom"}
    result = await run(*base, "power", "off")
    assert result.exit_code == 0 and sim.camera.power is False


async def test_status_json_and_the_explicit_act_form(rooms: Path) -> None:
    result = await run("device", "-c", str(rooms), "room-101/camera", "status", "--json")
    assert result.exit_code == 0
    status = json.loads(result.stdout)
    assert (status["link"], status["power"], status["protocol"]) == ("online", True, "visca")
    result = await run("device", "-c", str(rooms), "act", "room-101/camera", "status")
    assert result.exit_code == 0 and "online" in result.stdout


@pytest.mark.parametrize(
    ("fault", "words", "code", "message"),
    [
        ("not_executable", ["home"], 6, "not executable"),
        ("busy", ["home"], 7, "buffer full"),
        ("no_answer", ["preset", "save", "1"], 5, "no answer within"),
        ("garbage", ["home"], 10, "outside any frame"),
        ("truncate", ["home"], 10, "incomplete answer"),
    ],
)
async def test_device_errors_have_distinct_exit_codes(
    rooms: Path, sim: ViscaSimulator, fault: str, words: list[str], code: int, message: str
) -> None:
    setattr(sim.faults, fault, True if fault == "no_answer" else 10)
    result = await run("device", "-c", str(rooms), "room-101/camera", *words)
    assert result.exit_code == code
    assert result.stderr.startswith("error: room-101/camera") and message in result.stderr


async def test_nonsense_at_connect_is_exit_10_not_offline(sim: ViscaSimulator, tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(rooms_yaml(sim, "serial"))
    sim.faults.garbage = 100  # junk before every reply, Address Set's included
    result = await run("device", "-c", str(path), "room-101/camera", "home")
    assert result.exit_code == 10, result.output


async def test_a_silent_camera_reports_degraded_status(rooms: Path, sim: ViscaSimulator) -> None:
    sim.faults.no_answer = True
    result = await run("device", "-c", str(rooms), "room-101/camera", "status", "--json")
    assert result.exit_code == 5
    assert json.loads(result.stdout)["link"] == "degraded"


async def test_offline_camera(sim: ViscaSimulator, tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(rooms_yaml(sim))
    await sim.stop()
    result = await run("device", "-c", str(path), "room-101/camera", "home")
    assert result.exit_code == 4
    assert "camera is offline" in result.stderr and "connection refused" in result.stderr
    result = await run("device", "-c", str(path), "room-101/camera", "status", "--json")
    assert result.exit_code == 4 and json.loads(result.stdout)["link"] == "offline"
    result = await run("device", "-c", str(path), "room-101/camera", "home", "--json")
    assert json.loads(result.stdout)["exit_code"] == 4


@pytest.mark.parametrize(
    ("words", "code", "message"),
    [
        (["room-101/camera", "fly"], 2, "a camera understands"),
        (["room-101/camera", "preset", "recall", "99"], 2, "preset must be 0..15"),
        (["room-101/camera", "move", "left", "--speed", "3"], 2, ""),
        (["room-101/projector", "status"], 3, "no device 'room-101/projector'"),
        (["room-101/display", "power", "on"], 9, "no mdc driver in this build"),
    ],
)
async def test_usage_config_and_unsupported_errors(
    rooms: Path, words: list[str], code: int, message: str
) -> None:
    result = await run("device", "-c", str(rooms), *words)
    assert result.exit_code == code
    assert message in result.stderr


async def test_a_broken_rooms_file_is_exit_3_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "rooms.yaml"
    path.write_text(
        "rooms:\n  - name: room-101\n    devices:\n      - {name: cam, protocol: visca}\n"
    )
    result = await run("device", "-c", str(path), "list")
    assert result.exit_code == 3
    assert f"{path}:4: room 'room-101', device 'cam', field 'link': Field required" in result.stderr
    result = await run("device", "-c", str(tmp_path / "none.yaml"), "list")
    assert result.exit_code == 3 and "cannot read the rooms file" in result.stderr


async def test_mounted_by_a_root_cli(rooms: Path) -> None:
    root = typer.Typer()
    root.add_typer(device_app, name="device")
    root.command("simulate")(simulate)
    result = await run("device", "-c", str(rooms), "room-101/camera", "status", cli=root)
    assert result.exit_code == 0 and "online" in result.stdout
    assert "simulate" in (await run("--help", cli=root)).stdout


async def test_simulate_runs_until_interrupted(tmp_path: Path) -> None:
    derived = tmp_path / "sim.yaml"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devices.cli", "simulate",
        "--config", str(ROOT / "config" / "rooms.example.yaml"), "--write-config", str(derived),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(20):
        while not lines or "Simulators running" not in lines[-1]:
            lines.append((await process.stdout.readline()).decode())
            assert lines[-1], "simulate exited early"
    assert any("room-101/camera" in line for line in lines)  # the table of simulators
    rooms = load_rooms(derived, environ=SECRETS)
    camera = rooms.device("room-101/camera")[1]
    serial_path = camera.link.port  # type: ignore[union-attr]
    result = await run(
        "device", "-c", str(derived), "room-101/camera", "status", "--json", env=SECRETS
    )
    assert json.loads(result.stdout)["link"] == "online"
    process.send_signal(signal.SIGINT)
    assert await asyncio.wait_for(process.wait(), 10) == 0
    for warning in (await process.stderr.read()).decode().splitlines():  # protocols not built yet
        assert re.fullmatch(
            r"warning: room-101/\S+ skipped: no \w+ simulator in this build yet", warning
        )
    assert not os.path.exists(serial_path)  # the simulator cleaned up its pty link


async def test_simulate_with_a_bad_rooms_file_or_output_path(tmp_path: Path) -> None:
    result = await run("simulate", "--config", str(tmp_path / "none.yaml"))
    assert result.exit_code == 3 and "cannot read the rooms file" in result.stderr
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "devices.cli", "simulate",
        "--config", str(ROOT / "config" / "rooms.example.yaml"),
        "--write-config", str(tmp_path / "missing-dir" / "sim.yaml"),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 1
    assert b"error: cannot run the simulators" in stderr and b"missing-dir" in stderr
