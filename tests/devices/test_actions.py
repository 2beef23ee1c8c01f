"""The technician action table: parsing words per device kind, capabilities, dispatch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from devices.actions import ACTIONS, Options, actions_for, parse, perform
from devices.rooms_file.device_config import ViscaCameraConfig
from devices.drivers.base import (
    DeviceKind,
    DeviceStatus,
    DisplayCapabilities,
    MicrophoneCapabilities,
)
from devices.errors import Unsupported
from devices.transport.policy import LinkPolicy
from devices.visca.driver import ViscaCamera
from devices.sim.visca.simulator import ViscaSimulator

CAMERA, DISPLAY, MIC = DeviceKind.CAMERA, DeviceKind.DISPLAY, DeviceKind.MICROPHONE


@pytest.mark.parametrize(
    ("kind", "words", "usage", "args"),
    [
        (CAMERA, ["preset", "recall", "2"], "preset recall N", [2]),
        (CAMERA, ["move", "up-left"], "move DIRECTION", [(-1, 1)]),
        (CAMERA, ["zoom", "stop"], "zoom stop", []),
        (CAMERA, ["zoom", "out"], "zoom in|out", [-1]),
        (CAMERA, ["power", "off"], "power on|off", [False]),
        (DISPLAY, ["input", "hdmi1"], "input NAME", ["hdmi1"]),
        (DISPLAY, ["volume", "30"], "volume 0-100", [30]),
        (DISPLAY, ["mute", "on"], "mute on|off", [True]),
        (MIC, ["mute", "off"], "mute on|off", [False]),
        (MIC, ["gain", "-6.5"], "gain DB", [-6.5]),
        (MIC, ["status"], "status", []),
    ],
)
def test_parse(kind: DeviceKind, words: list[str], usage: str, args: list[object]) -> None:
    action, parsed = parse(kind, words)
    assert (action.usage, parsed) == (usage, args)


@pytest.mark.parametrize(
    ("kind", "words", "message"),
    [
        (CAMERA, ["fly"], "a camera understands: status; move DIRECTION"),
        (CAMERA, ["preset", "recall"], "usage: preset recall N"),
        (CAMERA, ["preset", "recall", "two"], "expected a whole number"),
        (CAMERA, ["move", "sideways"], "expected one of left, right"),
        (CAMERA, ["zoom", "closer"], "expected in or out"),
        (DISPLAY, ["power", "maybe"], "expected on or off"),
        (DISPLAY, ["home"], "a display understands"),
        (MIC, ["gain", "loud"], "expected a number"),
        (MIC, [], "a microphone understands"),
    ],
)
def test_parse_errors(kind: DeviceKind, words: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(kind, words)


def test_every_kind_has_status_and_actions_name_real_capabilities() -> None:
    for kind in DeviceKind:
        assert "status" in [a.usage for a in actions_for(kind)]
    fields = {
        CAMERA: {"pan_tilt", "zoom", "presets", "home", "power"},
        DISPLAY: set(DisplayCapabilities.__dataclass_fields__),
        MIC: set(MicrophoneCapabilities.__dataclass_fields__),
    }
    for action in ACTIONS:
        if action.needs and action.kind is not None:
            assert action.needs in fields[action.kind], action.usage


@pytest.fixture
async def camera() -> AsyncIterator[tuple[ViscaCamera, ViscaSimulator]]:
    sim = ViscaSimulator()
    await sim.start()
    cfg = ViscaCameraConfig.model_validate(
        {
            "name": "cam",
            "protocol": "visca",
            "link": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port},
        }
    )
    cam = ViscaCamera.from_config(cfg, policy=LinkPolicy(timeout=0.5))
    await cam.start()
    yield cam, sim
    await cam.stop()
    await sim.stop()


async def test_camera_actions_reach_the_camera(camera: tuple[ViscaCamera, ViscaSimulator]) -> None:
    cam, sim = camera
    action, args = parse(CAMERA, ["move", "left"])
    await perform(cam, action, args, Options(speed=1.0, duration=0.05))
    assert sim.camera.pan.velocity == 0 and sim.camera.pan.position < 0  # moved, then stopped
    action, args = parse(CAMERA, ["zoom", "in"])
    await perform(cam, action, args, Options(speed=1.0, duration=0))  # 0: keeps zooming
    assert sim.camera.zoom.velocity > 0
    action, args = parse(CAMERA, ["preset", "save", "3"])
    await perform(cam, action, args, Options())
    assert 3 in sim.camera.presets
    action, args = parse(CAMERA, ["status"])
    status = await perform(cam, action, args, Options())
    assert isinstance(status, DeviceStatus) and status.power is True


@dataclass
class RecordingDisplay:
    """A display facade that records calls (no display driver exists on this branch yet)."""

    name: str = "wall"
    capabilities: DisplayCapabilities = field(
        default_factory=lambda: DisplayCapabilities(inputs=("hdmi1",), volume=False)
    )
    calls: list[tuple[str, object]] = field(default_factory=list)

    async def set_power(self, on: bool) -> None:
        self.calls.append(("power", on))

    async def set_input(self, name: str) -> None:
        self.calls.append(("input", name))


async def test_display_actions_and_missing_capabilities() -> None:
    display = RecordingDisplay()
    for words in (["power", "on"], ["input", "hdmi1"]):
        action, args = parse(DISPLAY, words)
        await perform(display, action, args, Options())
    assert display.calls == [("power", True), ("input", "hdmi1")]
    action, args = parse(DISPLAY, ["volume", "10"])
    with pytest.raises(Unsupported, match="wall has no volume control"):
        await perform(display, action, args, Options())
