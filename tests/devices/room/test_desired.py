"""Desired state: what is owned, what counts as drift, what is forgotten."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from devices.drivers.base import DeviceKind, LinkState
from devices.commands import DeviceCommand
from devices.room.desired import DesiredState, Owner, Setting, Want, restoring, setting_of
from devices.room.device_view import Controls, DeviceView

SCENE = Owner("scene", "Bắt đầu buổi học")


def view(**fields: object) -> DeviceView:
    base: dict[str, object] = {
        "name": "display", "kind": DeviceKind.DISPLAY, "protocol": "mdc", "role": None,
        "link": LinkState.ONLINE, "power": "on", "controls": Controls(),
    }  # fmt: skip
    return DeviceView.model_validate({**base, **fields})


def test_drift_is_an_owned_setting_reported_otherwise() -> None:
    desired = DesiredState()
    desired.want("display", "input", "hdmi1", SCENE)
    desired.want("display", "volume", 30, Owner("technician", "A"))
    assert desired.drift(view(input="hdmi1", volume=30)) == []
    assert desired.drift(view(input="dp1", volume=30)) == [("input", "dp1", Want("hdmi1", SCENE))]
    assert desired.drift(view(input=None, volume=None)) == []  # not reported is not drift


@pytest.mark.parametrize(
    "fields", [{"power": "off"}, {"power": "warming"}, {"link": LinkState.DEGRADED}, {"link": LinkState.OFFLINE}]
)
def test_only_an_online_device_that_is_on_can_drift(fields: dict[str, object]) -> None:
    desired = DesiredState()
    desired.want("display", "input", "hdmi1", SCENE)
    assert desired.drift(view(input="dp1", **fields)) == []


def test_microphone_mute_and_channel_gains() -> None:
    desired = DesiredState()
    desired.want("mic", "muted", False, SCENE)
    desired.want("mic", "gain.2", 3.0, SCENE)
    mic = view(name="mic", kind=DeviceKind.MICROPHONE, power=None, muted=True, gain_db={1: 0.0, 2: 0.0})
    assert [(a, actual) for a, actual, _ in desired.drift(mic)] == [("muted", True), ("gain.2", 0.0)]


def test_a_gain_for_all_channels_drifts_when_any_channel_differs_and_replaces_channel_gains() -> None:
    desired = DesiredState()
    commands = TypeAdapter(DeviceCommand)
    desired.after("mic", commands.validate_python({"do": "gain", "gain_db": 3, "channel": 2}), "technician A")
    desired.after("mic", commands.validate_python({"do": "gain", "gain_db": -6}), "technician B")
    assert set(desired.of("mic")) == {"gain.*"}
    mic = view(name="mic", kind=DeviceKind.MICROPHONE, power=None, gain_db={1: -6.0, 2: -6.0})
    assert desired.drift(mic) == []
    drifted = view(name="mic", kind=DeviceKind.MICROPHONE, power=None, gain_db={1: -6.0, 2: 0.0})
    assert [(a, actual) for a, actual, _ in desired.drift(drifted)] == [("gain.*", [-6.0, 0.0])]
    assert restoring("gain.*", -6.0).model_dump(exclude_none=True) == {"do": "gain", "gain_db": -6.0}
    desired.after("mic", commands.validate_python({"do": "gain", "gain_db": 1, "channel": 1}), "technician A")
    assert set(desired.of("mic")) == {"gain.1"}


def test_forget_and_unknown_settings() -> None:
    desired = DesiredState()
    desired.want("display", "input", "hdmi1", SCENE)
    desired.forget("display")
    assert desired.of("display") == {}
    with pytest.raises(ValueError, match="not a setting"):
        desired.want("display", "power", True, SCENE)


COMMAND: TypeAdapter[DeviceCommand] = TypeAdapter(DeviceCommand)


@pytest.mark.parametrize(
    ("body", "setting"),
    [
        ({"do": "move", "pan": -0.5, "tilt": 1}, None),
        ({"do": "preset_save", "preset": 4}, None),
        ({"do": "power", "power": "off"}, None),
        ({"do": "input", "input": "hdmi1"}, ("input", "hdmi1")),
        ({"do": "volume", "level": 30}, ("volume", 30)),
        ({"do": "mute", "muted": True}, ("muted", True)),
        ({"do": "mute", "muted": False, "channel": 3}, None),
        ({"do": "gain", "gain_db": -6, "channel": 2}, ("gain.2", -6.0)),
        ({"do": "gain", "gain_db": -6}, ("gain.*", -6.0)),
    ],
)
def test_the_setting_a_command_makes_and_the_command_that_restores_it(
    body: dict[str, object], setting: tuple[str, Setting] | None
) -> None:
    command = COMMAND.validate_python(body)
    assert setting_of(command) == setting
    if setting is not None:
        assert restoring(*setting) == command


def test_after_a_command_owns_its_setting_and_power_off_forgets() -> None:
    desired = DesiredState()
    desired.after("display", COMMAND.validate_python({"do": "input", "input": "hdmi1"}), SCENE)
    assert desired.of("display") == {"input": Want("hdmi1", SCENE)}
    desired.after("display", COMMAND.validate_python({"do": "power", "power": False}), Owner("technician", "A"))
    assert desired.of("display") == {}
