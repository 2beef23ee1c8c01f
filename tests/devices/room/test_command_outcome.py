"""What a command hands back: the device's view after it, and the real cause of a failure.

The MDC display and the rest of the room run on the shared simulators; the ONVIF camera on
its own simulator, started late to play a camera that was down when the server started.
"""

from __future__ import annotations

import socket

import pytest

from devices.commands import Home, Input, Move, Volume
from devices.drivers.base import LinkState
from devices.errors import AuthError, DeviceOffline
from devices.room.actor import Actor, ActorKind
from devices.room.controller import RoomController
from devices.room.fleet import build_driver
from devices.rooms_file import Room
from devices.sim.onvif.simulator import OnvifSimulator
from tests.devices.onvif.helpers import http_port
from tests.devices.room.conftest import MakeRoom, Simulators
from tests.support.wait import until

TECH = Actor(kind=ActorKind.TECHNICIAN, name="Anh Tuấn")


async def test_the_returned_view_shows_the_device_after_the_command(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room()
    controller = running.controller
    await controller.command("display", Input(do="input", input="hdmi1"), TECH)
    view = await controller.command("display", Input(do="input", input="hdmi2"), TECH)
    assert view.input == "hdmi2"
    view = await controller.command("display", Volume(do="volume", level=37), TECH)
    assert view.volume == 37


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def onvif_room(port: int, password: str = "s3cret") -> Room:
    camera = {"name": "camera", "protocol": "onvif", "host": "127.0.0.1", "port": port,
              "username": "tech", "password": password, "timeout": 1}  # fmt: skip
    return Room.model_validate({"name": "room-7", "devices": [camera]})


async def test_an_onvif_camera_down_at_start_is_offline_then_set_up_when_it_comes() -> None:
    port = free_port()
    room = onvif_room(port)
    controller = RoomController(room, {"camera": build_driver(room.devices[0])}, paces={"camera": 0.1})
    await controller.start()
    sim = OnvifSimulator(port=port, username="tech", password="s3cret", discovery=False)
    try:
        for command in (Move(do="move", pan=0.5, tilt=0), Home(do="home")):
            with pytest.raises(DeviceOffline):
                await controller.command("camera", command, TECH)
        await sim.start()
        await until(
            lambda: controller.device_view("camera").controls.pan_tilt,
            what="the camera set up and its controls known",
            describe=lambda: f"view: {controller.device_view('camera')}",
            wake=controller.subscribe,
        )
        view = await controller.command("camera", Move(do="move", pan=0.5, tilt=0), TECH)
        assert view.link is LinkState.ONLINE
    finally:
        await controller.stop()
        await sim.stop()


async def test_a_wrong_onvif_password_is_an_auth_error_not_a_missing_control() -> None:
    sim = OnvifSimulator(username="tech", password="s3cret", discovery=False)
    await sim.start()
    room = onvif_room(http_port(sim.endpoints), password="wrong")
    controller = RoomController(room, {"camera": build_driver(room.devices[0])}, paces={"camera": 0.1})
    await controller.start()
    try:
        with pytest.raises(AuthError):
            await controller.command("camera", Move(do="move", pan=0.5, tilt=0), TECH)
    finally:
        await controller.stop()
        await sim.stop()


async def test_after_a_named_position_the_view_shows_the_camera_moving_there(make_room: MakeRoom, sims: Simulators) -> None:
    running = await make_room(positions=[{"name": "board", "camera": "camera", "pan": -600, "tilt": 150, "zoom": 4000}])
    controller = running.controller
    before = controller.device_view("camera")
    assert before.position is not None and before.position.pan == 0
    await controller.go_to_position("board", TECH)
    after = controller.device_view("camera")  # the camera is on its way: polled after the move began
    assert after.position is not None and after.position.pan < 0 and after.polled_at != before.polled_at
