"""The device-command catalog: the API's JSON, the CLI's words, the one refusal wording, and
commands reaching real drivers on their simulators."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import TypeAdapter, ValidationError

from devices.cli import _act
from devices.commands import (
    COMMAND_NAMES,
    COMMANDS,
    ON_THE_CLI,
    QUERIES,
    Command,
    DeviceCommand,
    Gain,
    Mute,
    Options,
    Power,
    Query,
    Status,
    Volume,
    from_words,
)
from devices.drivers.base import (
    CameraCapabilities,
    DeviceKind,
    DeviceStatus,
    DisplayCapabilities,
    MicrophoneCapabilities,
)
from devices.errors import Unsupported
from devices.pjlink.values import PowerState
from devices.rooms_file.device_config import PJLinkProjectorConfig, ViscaCameraConfig
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.sim.visca.simulator import ViscaSimulator

CAMERA, DISPLAY, MIC = DeviceKind.CAMERA, DeviceKind.DISPLAY, DeviceKind.MICROPHONE
COMMAND: TypeAdapter[DeviceCommand] = TypeAdapter(DeviceCommand)


def test_every_command_is_named() -> None:
    assert COMMAND_NAMES == (
        "move", "stop", "zoom", "home", "preset_recall", "preset_save", "go_to",
        "power", "input", "volume", "mute", "gain",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ({"do": "move", "pan": -0.5, "tilt": 1}, "move pan -0.50 tilt +1.00"),
        ({"do": "zoom", "speed": 0}, "zoom stop"),
        ({"do": "preset_save", "preset": 4}, "preset save 4"),
        ({"do": "power", "power": "off"}, "power off"),
        ({"do": "input", "input": "hdmi1"}, "input hdmi1"),
        ({"do": "volume", "level": 30}, "volume 30"),
        ({"do": "mute", "muted": True}, "mute"),
        ({"do": "mute", "muted": False, "channel": 3}, "unmute channel 3"),
        ({"do": "gain", "gain_db": -6, "channel": 2}, "gain -6 dB channel 2"),
        ({"do": "go_to", "pan": 1, "tilt": 2, "zoom": 3}, "go to pan 1 tilt 2 zoom 3"),
    ],
)
def test_labels(body: dict[str, object], label: str) -> None:
    assert COMMAND.validate_python(body).label == label


@pytest.mark.parametrize(
    "body",
    [
        {"do": "move", "pan": 2, "tilt": 0},
        {"do": "move", "pan": 0, "tilt": 0, "seconds": 60},
        {"do": "volume", "level": -1},
        {"do": "preset_recall"},
        {"do": "input", "input": ""},
        {"do": "fly"},
        {"do": "stop", "extra": 1},
    ],
)
def test_bad_commands_are_refused_at_the_edge(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        COMMAND.validate_python(body)


def test_what_stops_a_continuous_motion() -> None:
    move = COMMAND.validate_python({"do": "move", "pan": 1, "tilt": 0})
    assert move.stopping() == COMMAND.validate_python({"do": "stop"})
    assert COMMAND.validate_python({"do": "zoom", "speed": 0.5}).stopping() == COMMAND.validate_python(
        {"do": "zoom", "speed": 0}
    )
    assert COMMAND.validate_python({"do": "zoom", "speed": 0}).stopping() is None
    assert COMMAND.validate_python({"do": "home"}).stopping() is None


@pytest.mark.parametrize(
    ("kind", "words", "options", "usage", "expected"),
    [
        (CAMERA, ["preset", "recall", "2"], Options(), "preset recall N", {"do": "preset_recall", "preset": 2}),
        (CAMERA, ["move", "up-left"], Options(speed=0.5), "move DIRECTION", {"do": "move", "pan": -0.5, "tilt": 0.5}),
        (CAMERA, ["zoom", "stop"], Options(), "zoom in|out|stop", {"do": "zoom", "speed": 0}),
        (CAMERA, ["zoom", "out"], Options(speed=1), "zoom in|out|stop", {"do": "zoom", "speed": -1}),
        (CAMERA, ["power", "off"], Options(), "power on|off", {"do": "power", "power": False}),
        (DISPLAY, ["input", "hdmi1"], Options(), "input NAME", {"do": "input", "input": "hdmi1"}),
        (DISPLAY, ["volume", "30"], Options(), "volume 0-100", {"do": "volume", "level": 30}),
        (DISPLAY, ["mute", "on"], Options(), "mute on|off", {"do": "mute", "muted": True}),
        (MIC, ["mute", "off"], Options(channel=2), "mute on|off", {"do": "mute", "muted": False, "channel": 2}),
        (MIC, ["gain", "-6.5"], Options(), "gain DB", {"do": "gain", "gain_db": -6.5, "channel": None}),
    ],
)
def test_the_cli_words_are_catalog_commands(
    kind: DeviceKind, words: list[str], options: Options, usage: str, expected: dict[str, object]
) -> None:
    command = from_words(kind, words, options)
    assert isinstance(command, Command)
    assert command == COMMAND.validate_python(expected) and command.usage() == usage


def test_the_cli_reads_are_queries() -> None:
    for kind in DeviceKind:
        assert isinstance(from_words(kind, ["status"], Options()), Status)
    assert from_words(CAMERA, ["position"], Options()).label == "position"
    assert from_words(MIC, ["levels"], Options()).label == "levels"


@pytest.mark.parametrize(
    ("kind", "words", "message"),
    [
        (CAMERA, ["fly"], "a camera understands: status; move DIRECTION"),
        (CAMERA, ["preset", "recall"], "usage: preset recall N"),
        (CAMERA, ["preset", "recall", "two"], "expected a whole number"),
        (CAMERA, ["preset", "recall", "300"], "preset: Input should be less than or equal to 254"),
        (CAMERA, ["move", "sideways"], "expected one of left, right"),
        (CAMERA, ["zoom", "closer"], "expected in or out"),
        (DISPLAY, ["power", "maybe"], "expected on or off"),
        (DISPLAY, ["home"], "a display understands"),
        (DISPLAY, ["volume", "150"], "level: Input should be less than or equal to 100"),
        (MIC, ["power", "on"], "a microphone understands"),
        (MIC, ["gain", "loud"], "expected a number"),
        (MIC, [], "a microphone understands"),
    ],
)
def test_cli_word_errors(kind: DeviceKind, words: list[str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        from_words(kind, words, Options())


def test_every_entry_names_real_kinds_and_capabilities() -> None:
    fields = {
        CAMERA: set(CameraCapabilities.__dataclass_fields__),
        DISPLAY: set(DisplayCapabilities.__dataclass_fields__),
        MIC: set(MicrophoneCapabilities.__dataclass_fields__),
    }
    for entry in (*COMMANDS, *QUERIES):
        if entry.needs is not None:
            assert all(entry.needs in fields[kind] for kind in entry.kinds), entry
    assert set(ON_THE_CLI) == set(COMMANDS) | set(QUERIES)  # the CLI offers everything


COMMAND_BY_NAME = dict(zip(COMMAND_NAMES, COMMANDS, strict=True))


@pytest.fixture
async def visca() -> AsyncIterator[tuple[ViscaCameraConfig, ViscaSimulator]]:
    sim = ViscaSimulator()
    await sim.start()
    cfg = ViscaCameraConfig.model_validate(
        {
            "name": "cam",
            "protocol": "visca",
            "link": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port},
            "timeout": 0.5,
        }
    )
    yield cfg, sim
    await sim.stop()


async def test_camera_commands_reach_the_camera(visca: tuple[ViscaCameraConfig, ViscaSimulator]) -> None:
    cfg, sim = visca
    timed = Options(speed=1.0, duration=0.05)
    await _act(cfg, from_words(CAMERA, ["move", "left"], timed), timed)
    assert sim.camera.pan.velocity == 0 and sim.camera.pan.position < 0  # moved, then stopped
    keep_going = Options(speed=1.0, duration=0)
    await _act(cfg, from_words(CAMERA, ["zoom", "in"], keep_going), keep_going)
    assert sim.camera.zoom.velocity > 0
    await _act(cfg, from_words(CAMERA, ["preset", "save", "3"], Options()), Options())
    assert 3 in sim.camera.presets
    status = await _act(cfg, Status(), Options())
    assert isinstance(status, DeviceStatus) and status.power is True


@pytest.fixture
async def projector() -> AsyncIterator[tuple[PJLinkProjectorConfig, PJLinkSimulator]]:
    sim = PJLinkSimulator()
    await sim.start()
    cfg = PJLinkProjectorConfig(name="wall", protocol="pjlink", host="127.0.0.1", port=sim.port, timeout=0.5)
    yield cfg, sim
    await sim.stop()


async def test_one_refusal_wording_for_every_caller(
    projector: tuple[PJLinkProjectorConfig, PJLinkSimulator],
) -> None:
    cfg, sim = projector
    await _act(cfg, Power(do="power", power=True), Options())
    assert sim.power() in (PowerState.WARMING, PowerState.ON)
    with pytest.raises(Unsupported, match="^wall has no volume control$"):
        await _act(cfg, Volume(do="volume", level=10), Options())
    with pytest.raises(Unsupported, match="^gain 0 dB all channels: 'wall' is a display, not a microphone$"):
        await _act(cfg, Gain(do="gain", gain_db=0), Options())
    with pytest.raises(ValueError, match="a display has no channels"):
        await _act(cfg, Mute(do="mute", muted=True, channel=2), Options())
    assert isinstance(await _act(cfg, Status(), Options()), DeviceStatus)


def test_queries_are_not_api_commands() -> None:
    assert not any(issubclass(entry, Command) for entry in QUERIES)
    assert all(issubclass(entry, Query) for entry in QUERIES)
