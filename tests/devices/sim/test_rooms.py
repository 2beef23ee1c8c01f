"""Simulators for a rooms file, and the derived rooms file that points at them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from devices.rooms_file.device_config import ViscaCameraConfig
from devices.rooms_file import load_rooms
from devices.sim.rooms import SimulatedRooms, _host_port, _point_at

EXAMPLE = Path(__file__).parents[3] / "config" / "rooms.example.yaml"


async def test_example_rooms_simulated_and_derived(tmp_path: Path) -> None:
    rooms = load_rooms(EXAMPLE, environ={"ROOM101_ONVIF_PASSWORD": "secret"}, require_secrets=False)
    secrets = {"ROOM101_ONVIF_PASSWORD": "x", "ROOM101_PJLINK_PASSWORD": "y"}
    simulated = SimulatedRooms(rooms)
    await simulated.start()
    try:
        refs = [running.ref for running in simulated.running]
        assert "room-101/camera" in refs
        skipped = dict(simulated.skipped)
        assert set(refs) | set(skipped) == {f"room-101/{d.name}" for _, d in rooms.devices()}
        assert all("simulator in this build" in why for why in skipped.values())
        derived = simulated.derived()
        text = yaml.safe_dump(derived)
        assert "secret" not in text  # resolved passwords never reach the written file
        path = tmp_path / "sim.yaml"
        path.write_text(text)
        again = load_rooms(path, environ=secrets)
        assert [f"room-101/{d.name}" for _, d in again.devices()] == refs
        camera = again.device("room-101/camera")[1]
        assert isinstance(camera, ViscaCameraConfig)
        assert camera.link.transport == "serial"
        assert (
            camera.link.port == simulated.running[refs.index("room-101/camera")].endpoints["serial"]
        )
        assert camera.role == "main-camera"
    finally:
        await simulated.stop()
    assert simulated.running == []


def test_pointing_tcp_udp_and_host_port_devices() -> None:
    endpoints = {"serial": "/tmp/x/tty", "tcp": "127.0.0.1:5001", "udp": "127.0.0.1:5002"}
    for transport, expected in (("tcp", 5001), ("udp", 5002)):
        cfg = ViscaCameraConfig.model_validate(
            {
                "name": "c",
                "protocol": "visca",
                "link": {"transport": transport, "host": "10.1.1.1", "port": 1},
            }
        )
        data = cfg.model_dump(mode="json", exclude_defaults=True)
        _point_at(data, cfg, endpoints)
        assert data["link"] == {"transport": transport, "host": "127.0.0.1", "port": expected}
    with pytest.raises(ValueError, match="offers"):
        _point_at({}, cfg, {"serial": "/tmp/x"})


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("127.0.0.1:80", ("127.0.0.1", 80)),
        ("http://127.0.0.1:8080/onvif/device_service", ("127.0.0.1", 8080)),
        ("[::1]:4352", ("::1", 4352)),
    ],
)
def test_host_port(address: str, expected: tuple[str, int]) -> None:
    assert _host_port(address) == expected


def test_host_port_needs_a_port() -> None:
    with pytest.raises(ValueError, match="no host:port"):
        _host_port("/dev/ttyUSB0")


async def test_the_derived_file_keeps_positions_scenes_and_schedule(tmp_path: Path) -> None:
    rooms = load_rooms(EXAMPLE, environ={}, require_secrets=False)
    simulated = SimulatedRooms(rooms)
    await simulated.start()
    try:
        path = tmp_path / "sim.yaml"
        path.write_text(yaml.safe_dump(simulated.derived()))
    finally:
        await simulated.stop()
    again = load_rooms(path, environ={"ROOM101_ONVIF_PASSWORD": "x", "ROOM101_PJLINK_PASSWORD": "y"}).rooms[0]
    original = rooms.rooms[0]
    assert (again.title, again.positions, again.scenes, again.schedule) == (
        original.title, original.positions, original.scenes, original.schedule,
    )  # fmt: skip
