"""Device commands as the API receives them: validation, labels, the settings they own."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from devices.drivers.base import DeviceKind
from devices.room.commands import COMMAND_NAMES, DeviceCommand

COMMAND: TypeAdapter[DeviceCommand] = TypeAdapter(DeviceCommand)


def test_every_command_is_named() -> None:
    assert COMMAND_NAMES == (
        "move", "stop", "zoom", "home", "preset_recall", "preset_save", "go_to",
        "power", "input", "volume", "mute", "gain",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("body", "label", "setting"),
    [
        ({"do": "move", "pan": -0.5, "tilt": 1}, "move pan -0.50 tilt +1.00", None),
        ({"do": "zoom", "speed": 0}, "zoom stop", None),
        ({"do": "preset_save", "preset": 4}, "preset save 4", None),
        ({"do": "power", "power": "off"}, "power off", None),
        ({"do": "input", "input": "hdmi1"}, "input hdmi1", ("input", "hdmi1")),
        ({"do": "volume", "level": 30}, "volume 30", ("volume", 30)),
        ({"do": "mute", "muted": True}, "mute", ("muted", True)),
        ({"do": "mute", "muted": False, "channel": 3}, "unmute channel 3", None),
        ({"do": "gain", "gain_db": -6, "channel": 2}, "gain -6 dB channel 2", ("gain.2", -6.0)),
        ({"do": "go_to", "pan": 1, "tilt": 2, "zoom": 3}, "go to pan 1 tilt 2 zoom 3", None),
    ],
)
def test_labels_and_settings(body: dict[str, object], label: str, setting: object) -> None:
    command = COMMAND.validate_python(body)
    assert command.label == label
    assert command.setting(DeviceKind.DISPLAY) == setting


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
