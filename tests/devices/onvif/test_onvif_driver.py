"""OnvifCamera against the simulator over real HTTP on 127.0.0.1: every facade call, the
extras, presets round trip, every fault knob mapped to our error, auth and clock skew."""

from __future__ import annotations

import os
import socket

import pytest

from devices.rooms_file.device_config import OnvifCameraConfig
from devices.drivers.base import Camera, LinkState, PanTiltZoom
from devices.errors import (
    AuthError,
    ConfigError,
    DeviceBusy,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)
from devices.onvif.driver import OnvifCamera
from devices.sim.onvif.simulator import OnvifFaults, OnvifSimulator
from devices.registry import driver_class
from devices.transport.policy import Backoff
from tests.support.clock import ManualClock
from tests.support.wait import until

from .helpers import TIMEOUT, http_port


def make_camera(sim: OnvifSimulator, password: str = "s3cret", **kwargs: object) -> OnvifCamera:
    return OnvifCamera(
        "cam", "127.0.0.1", http_port(sim.endpoints), "tech", password,
        timeout=TIMEOUT, poll_interval=3600, **kwargs,  # type: ignore[arg-type]
    )


async def test_it_is_a_camera_with_the_capabilities_of_its_profile(camera: OnvifCamera) -> None:
    assert isinstance(camera, Camera)
    assert driver_class("onvif") is OnvifCamera
    caps = camera.capabilities
    assert (caps.pan_tilt, caps.zoom, caps.absolute_position, caps.home) == (True, True, True, True)
    assert caps.presets == 16 and caps.power is False and caps.stream_uri
    assert camera.link.state is LinkState.ONLINE


async def test_continuous_move_changes_the_position_until_stopped(
    camera: OnvifCamera, clock: ManualClock
) -> None:
    assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
    await camera.move(0.5, -0.25)
    clock.advance(0.4)
    moving = await camera.ptz_status()
    assert moving.position.pan == pytest.approx(0.2) and moving.position.tilt == pytest.approx(-0.1)
    assert moving.pan_tilt_moving is True
    await camera.stop_move()
    stopped = await camera.position()
    clock.advance(1.0)
    assert await camera.position() == stopped
    assert (await camera.ptz_status()).pan_tilt_moving is False


async def test_zoom_moves_and_speed_zero_stops_only_zoom(camera: OnvifCamera, clock: ManualClock) -> None:
    await camera.move(1.0, 0.0)
    await camera.zoom(0.5)
    clock.advance(0.2)
    await camera.zoom(0)
    status = await camera.ptz_status()
    assert status.position.zoom == pytest.approx(0.1)
    assert (status.pan_tilt_moving, status.zoom_moving) == (True, False)


async def test_presets_round_trip_by_number(camera: OnvifCamera, clock: ManualClock) -> None:
    await camera.absolute_move(0.5, 0.25, 0.75)
    clock.advance(5)
    await camera.save_preset(2)
    await camera.home()
    clock.advance(5)
    assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
    await camera.recall_preset(2)
    clock.advance(5)
    assert await camera.position() == PanTiltZoom(0.5, 0.25, 0.75)
    [preset] = await camera.presets()
    assert (preset.number, preset.name) == (2, "classbridge-2")
    # Saving the same number again overwrites it in place.
    await camera.relative_move(-0.5, 0.0)
    clock.advance(5)
    await camera.save_preset(2)
    assert [(p.number, p.position) for p in await camera.presets()] == [(2, PanTiltZoom(0.0, 0.25, 0.75))]
    await camera.remove_preset(2)
    assert await camera.presets() == []


async def test_recalling_an_unknown_preset_is_refused_with_the_known_numbers(camera: OnvifCamera) -> None:
    await camera.save_preset(7)
    with pytest.raises(DeviceRefused, match=r"no preset 3 \(numbered presets: 7\)"):
        await camera.recall_preset(3)
    with pytest.raises(ValueError):
        await camera.recall_preset(-1)


async def test_presets_on_a_camera_with_opaque_tokens(clock: ManualClock) -> None:
    sim = OnvifSimulator(username="tech", password="s3cret", clock=clock, preset_tokens="opaque")
    await sim.start()
    camera = make_camera(sim)
    try:
        await camera.start()
        await camera.save_preset(1)
        await camera.absolute_move(-1.0, -1.0)
        clock.advance(5)
        await camera.recall_preset(1)
        clock.advance(5)
        assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
        [preset] = await camera.presets()
        assert preset.token.startswith("preset-") and preset.number == 1
    finally:
        await camera.stop()
        await sim.stop()


async def test_camera_presets_with_numeric_tokens_keep_their_numbers(
    camera: OnvifCamera, sim: OnvifSimulator
) -> None:
    sim.ptz.set_preset("Door", None)  # made on the camera itself: token "1"
    sim.ptz.set_preset("Desk", None)  # token "2"
    await camera.save_preset(7)  # token "3", ours by name
    numbers = {p.name: p.number for p in await camera.presets()}
    assert numbers == {"Door": 1, "Desk": 2, "classbridge-7": 7}


async def test_home_and_set_home(camera: OnvifCamera, clock: ManualClock) -> None:
    await camera.absolute_move(0.3, 0.3)
    clock.advance(5)
    await camera.set_home()
    await camera.relative_move(0.2, 0.2, speed=0.5)
    clock.advance(5)
    assert await camera.position() == PanTiltZoom(0.5, 0.5, 0.0)
    await camera.home()
    clock.advance(5)
    assert await camera.position() == PanTiltZoom(0.3, 0.3, 0.0)


async def test_go_to_is_an_absolute_move_in_the_generic_spaces(camera: OnvifCamera, clock: ManualClock) -> None:
    await camera.go_to(PanTiltZoom(-0.4, 0.2, 0.5))
    clock.advance(5)
    assert await camera.position() == PanTiltZoom(-0.4, 0.2, 0.5)


async def test_moves_are_validated_before_anything_is_sent(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    before = sim.requests
    for call in (
        camera.move(1.5, 0), camera.zoom(float("nan")), camera.absolute_move(0, 0, zoom=2),
        camera.relative_move(3, 0), camera.absolute_move(0, 0, speed=-1),
    ):
        with pytest.raises(ValueError):
            await call
    assert sim.requests == before


async def test_set_power_is_unsupported(camera: OnvifCamera) -> None:
    with pytest.raises(Unsupported, match="no power control"):
        await camera.set_power(True)


async def test_technician_extras(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    info = await camera.device_information()
    assert (info.manufacturer, info.serial_number) == ("classbridge", "SIM-0001")
    assert set(camera.services()) == {
        "http://www.onvif.org/ver10/device/wsdl",
        "http://www.onvif.org/ver10/media/wsdl",
        "http://www.onvif.org/ver20/ptz/wsdl",
    }
    profiles = await camera.profiles()
    assert [(p.token, p.encoding, p.ptz) for p in profiles] == [("main", "H264", True), ("sub", "JPEG", False)]
    assert await camera.stream_uri() == "rtsp://127.0.0.1:8554/main"
    assert await camera.stream_uri("sub") == "rtsp://127.0.0.1:8554/sub"
    assert await camera.snapshot_uri() == f"{sim.service.base_url}/snapshot/main.jpg"
    with pytest.raises(DeviceRefused, match="NoProfile"):
        await camera.stream_uri("nope")
    skew = await camera.check_clock()
    assert skew is not None and abs(skew) < 2 and camera.time_adjusted is False


async def test_status_reports_link_position_and_clock(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    status = await camera.status()
    assert status.link is LinkState.ONLINE and status.power is None
    assert status.values["position"] == PanTiltZoom(0.0, 0.0, 0.0)
    assert status.values["profile"] == "main"
    sim.faults.no_answer = True
    status = await camera.status()
    assert status.link is LinkState.DEGRADED and "no answer within" in status.detail


async def test_getservices_refused_falls_back_to_getcapabilities(sim: OnvifSimulator) -> None:
    sim.service.services_supported = False
    camera = make_camera(sim)
    try:
        await camera.start()
        assert "http://www.onvif.org/ver20/ptz/wsdl" in camera.services()
        assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
    finally:
        await camera.stop()


async def test_a_profile_without_ptz_makes_ptz_calls_unsupported(sim: OnvifSimulator) -> None:
    camera = make_camera(sim, profile="sub")
    try:
        await camera.start()
        assert camera.capabilities.pan_tilt is False
        with pytest.raises(Unsupported, match="'sub' has no PTZ"):
            await camera.move(0.1, 0.1)
        assert await camera.stream_uri() == "rtsp://127.0.0.1:8554/sub"
    finally:
        await camera.stop()


async def test_an_unknown_profile_is_a_config_error_naming_the_known_ones(sim: OnvifSimulator) -> None:
    camera = make_camera(sim, profile="wide")
    await camera.start()
    assert camera.link.state is LinkState.OFFLINE
    assert "no media profile 'wide' (it has: main, sub)" in camera._session.link.detail
    with pytest.raises(ConfigError, match=r"no media profile 'wide' \(it has: main, sub\)"):
        await camera.home()
    await camera.stop()


async def test_wrong_password_is_an_auth_error(sim: OnvifSimulator) -> None:
    camera = make_camera(sim, password="guess")
    await camera.start()  # like every device link, start() reports in the link state
    status = await camera.status()
    assert status.link is LinkState.OFFLINE and "NotAuthorized" in status.detail
    with pytest.raises(AuthError, match="NotAuthorized"):
        await camera.position()
    await camera.stop()


async def test_camera_clock_far_off_is_adjusted_for(sim: OnvifSimulator) -> None:
    sim.faults.clock_offset = 3600.0
    strict = make_camera(sim, adjust_time=False)
    with pytest.raises(AuthError, match="from the camera clock"):
        await strict.position()
    await strict.stop()
    camera = make_camera(sim)
    try:
        await camera.start()
        assert camera.time_adjusted is True
        skew = await camera.check_clock()
        assert skew == pytest.approx(3600, abs=2)
        assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
    finally:
        await camera.stop()


@pytest.mark.parametrize(
    ("knob", "value", "error", "link"),
    [
        ("no_answer", True, DeviceTimeout, LinkState.DEGRADED),
        ("delay", 5 * TIMEOUT, DeviceTimeout, LinkState.DEGRADED),
        ("drop", True, DeviceOffline, LinkState.OFFLINE),
        ("http_status", 401, AuthError, LinkState.OFFLINE),
        ("http_status", 500, ProtocolError, LinkState.DEGRADED),
        ("http_status", 503, DeviceBusy, LinkState.DEGRADED),
        ("garbage", True, ProtocolError, LinkState.DEGRADED),
        ("soap_fault", "InvalidArgVal", DeviceRefused, LinkState.ONLINE),
        ("soap_fault", "ActionNotSupported", Unsupported, LinkState.ONLINE),
        ("soap_fault", "NotAuthorized", AuthError, LinkState.OFFLINE),
    ],
)
async def test_every_fault_knob_maps_to_our_error_and_the_camera_recovers(
    camera: OnvifCamera, sim: OnvifSimulator, knob: str, value: object, error: type[Exception], link: LinkState
) -> None:
    setattr(sim.faults, knob, value)
    with pytest.raises(error):
        await camera.move(0.1, 0.1)
    assert camera.link.state is link
    sim.faults = OnvifFaults()
    await camera.stop_move()  # sets the camera up again when the link went offline
    assert camera.link.state is LinkState.ONLINE


async def test_a_slow_answer_within_the_timeout_is_fine(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    sim.faults.delay = TIMEOUT / 5
    assert await camera.position() == PanTiltZoom(0.0, 0.0, 0.0)
    assert camera.link.state is LinkState.ONLINE


async def test_repeated_timeouts_take_the_link_offline(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    sim.faults.garbage = True
    states = []
    for _ in range(3):
        with pytest.raises(ProtocolError):
            await camera.position()
        states.append(camera.link.state)
    assert states == [LinkState.DEGRADED, LinkState.DEGRADED, LinkState.OFFLINE]


async def test_a_stopped_camera_is_offline_and_comes_back(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    port = http_port(sim.endpoints)
    await sim.stop()
    with pytest.raises(DeviceOffline, match="connection failed"):
        await camera.position()
    assert camera.link.state is LinkState.OFFLINE
    with pytest.raises(DeviceOffline):
        await camera.position()  # the setup is tried again, and fails again
    revived = OnvifSimulator(port=port, username="tech", password="s3cret")
    await revived.start()
    try:
        assert isinstance(await camera.position(), PanTiltZoom)
        assert camera.link.state is LinkState.ONLINE
    finally:
        await revived.stop()


async def wait_for_link(camera: OnvifCamera, state: LinkState) -> None:
    await until(
        lambda: camera.link.state is state,
        what=f"the link to be {state.value}",
        describe=lambda: f"the link is {camera.link.state.value}",
    )


async def test_the_watcher_notices_a_camera_going_away_and_coming_back(sim: OnvifSimulator) -> None:
    camera = make_camera(sim, backoff=Backoff(initial=0.02, maximum=0.05))
    camera.poll_interval = 0.02
    changes: list[LinkState] = []
    camera.link.add_listener(lambda old, new, detail: changes.append(new))
    try:
        await camera.start()
        sim.faults.drop = True
        await wait_for_link(camera, LinkState.OFFLINE)
        sim.faults.drop = False
        await wait_for_link(camera, LinkState.ONLINE)
    finally:
        await camera.stop()
    assert camera.link.state is LinkState.OFFLINE
    assert changes[:4] == [LinkState.CONNECTING, LinkState.ONLINE, LinkState.OFFLINE, LinkState.CONNECTING]


async def test_a_camera_off_at_start_is_set_up_when_it_appears() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    camera = OnvifCamera(
        "cam", "127.0.0.1", port, "tech", "s3cret", timeout=TIMEOUT, backoff=Backoff(initial=0.02, maximum=0.05)
    )
    await camera.start()
    assert camera.link.state is LinkState.OFFLINE and "connection failed" in (await camera.status()).detail
    sim = OnvifSimulator(port=port, username="tech", password="s3cret")
    await sim.start()
    try:
        await wait_for_link(camera, LinkState.ONLINE)
        assert camera.capabilities.pan_tilt
    finally:
        await camera.stop()
        await sim.stop()


async def test_from_config_takes_the_password_from_the_environment(
    sim: OnvifSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAM_PW", "s3cret")
    cfg = OnvifCameraConfig(
        name="cam", protocol="onvif", host="127.0.0.1", port=http_port(sim.endpoints),
        username="tech", password_env="CAM_PW", timeout=TIMEOUT,
    )
    camera = OnvifCamera.from_config(cfg)
    try:
        await camera.start()
        assert camera.link.state is LinkState.ONLINE
    finally:
        await camera.stop()


async def test_device_capabilities(camera: OnvifCamera, sim: OnvifSimulator) -> None:
    capabilities = await camera.device_capabilities()
    assert capabilities["PTZ"]["XAddr"] == f"{sim.service.base_url}/onvif/ptz_service"
    assert capabilities["Media"]["StreamingCapabilities"]["RTP_RTSP_TCP"] is True


async def test_proxy_settings_survive_and_cameras_are_reached_directly(
    sim: OnvifSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that does not exist: any request sent through it would fail.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    camera = make_camera(sim)
    try:
        await camera.start()
        assert camera.link.state is LinkState.ONLINE
        assert os.environ["http_proxy"] == "http://127.0.0.1:9"
    finally:
        await camera.stop()


async def test_a_camera_without_getnodes_still_has_presets(sim: OnvifSimulator, clock: ManualClock) -> None:
    sim.service.nodes_supported = False
    cam = OnvifCamera("cam", "127.0.0.1", http_port(sim.endpoints), "tech", "s3cret", timeout=TIMEOUT, poll_interval=3600)
    await cam.start()
    try:
        caps = cam.capabilities
        assert caps.presets > 0 and caps.pan_tilt and caps.zoom and caps.home
        await cam.save_preset(2)
        await cam.recall_preset(2)
    finally:
        await cam.stop()


async def test_a_ptz_configuration_without_default_spaces_still_moves(sim: OnvifSimulator, clock: ManualClock) -> None:
    sim.service.default_spaces = False
    cam = OnvifCamera("cam", "127.0.0.1", http_port(sim.endpoints), "tech", "s3cret", timeout=TIMEOUT, poll_interval=3600)
    await cam.start()
    try:
        caps = cam.capabilities
        assert caps.pan_tilt and caps.zoom and caps.absolute_position  # the node lists the spaces
        await cam.move(0.5, 0.0)
        clock.now += 0.5
        assert (await cam.position()).pan > 0
        sim.service.nodes_supported = False  # neither node nor defaults: offered, tried
        await cam.stop()
        await cam.start()
        assert cam.capabilities.pan_tilt and cam.capabilities.zoom
    finally:
        await cam.stop()
