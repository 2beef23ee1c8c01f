"""Every driver's status becomes the same view: power, input, mute, volume, position, gains."""

from __future__ import annotations

from devices.drivers.base import DeviceStatus, LinkState, PanTiltZoom
from devices.room.device_view import Position, reported


def test_projector_power_states_win_over_the_boolean() -> None:
    status = DeviceStatus(LinkState.ONLINE, power=False, values={"power_state": "warming"})
    assert reported(status) == {"power": "warming"}
    on = DeviceStatus(LinkState.ONLINE, power=True, values={"power_state": "on", "input": "digital1", "muted": False})
    assert reported(on) == {"power": "on", "input": "digital1", "muted": False}


def test_display_values() -> None:
    status = DeviceStatus(LinkState.ONLINE, power=True, values={"input": "hdmi1", "volume": 20, "muted": True})
    assert reported(status) == {"power": "on", "input": "hdmi1", "volume": 20, "muted": True}


def test_camera_positions_from_steps_or_a_record() -> None:
    visca = DeviceStatus(LinkState.ONLINE, power=True, values={"pan": 10.0, "tilt": -2.0, "zoom": 300.0})
    assert reported(visca)["position"] == Position(pan=10, tilt=-2, zoom=300)
    onvif = DeviceStatus(LinkState.ONLINE, values={"position": PanTiltZoom(0.1, 0.2, 0.3)})
    assert reported(onvif) == {"position": Position(pan=0.1, tilt=0.2, zoom=0.3)}


def test_microphone_gains_and_nothing_reported() -> None:
    mic = DeviceStatus(LinkState.ONLINE, values={"muted": False, "gain_db": {1: 0.0, 2: -3.0}, "levels_dbfs": {}})
    assert reported(mic) == {"muted": False, "gain_db": {1: 0.0, 2: -3.0}}
    assert reported(DeviceStatus(LinkState.ONLINE, detail="ERR3")) == {}
    assert reported(DeviceStatus(LinkState.ONLINE, values={"input": 3, "power_state": "odd"})) == {}
