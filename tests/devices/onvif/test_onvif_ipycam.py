"""OnvifCamera against a third-party ONVIF emulator, PyPI `ipycam`, with its real WS-Security
digest check: device information, media profiles and URIs, and a wrong password.

ipycam's IPCamera would start video encoders; only its ONVIF handler is needed, so its HTTP
handler is served here by a stdlib ThreadingHTTPServer bound to 127.0.0.1 port 0. Its
GetStatus/GetPresets replies use an undeclared `ptz:` prefix, which zeep cannot parse — that
is checked too, as our ProtocolError.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest
from ipycam.config import CameraConfig
from ipycam.http import IPCameraHTTPHandler
from ipycam.onvif import ONVIFService

from devices.drivers.base import LinkState
from devices.commands import Home, Move
from devices.errors import AuthError, ProtocolError
from devices.onvif.driver import OnvifCamera

USER, PASSWORD = "operator", "correct horse"


class _Camera:
    """The one attribute of ipycam's IPCamera that its ONVIF request handler uses."""

    def __init__(self, config: CameraConfig) -> None:
        self.onvif = ONVIFService(config)


@pytest.fixture(scope="module")
def ipycam_port() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    port = server.server_address[1]
    config = CameraConfig(local_ip="127.0.0.1", onvif_port=port, username=USER, password=PASSWORD)
    server.RequestHandlerClass = type("Handler", (IPCameraHTTPHandler,), {"camera": _Camera(config)})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port
    server.shutdown()
    server.server_close()
    thread.join()


def camera(port: int, password: str = PASSWORD) -> OnvifCamera:
    return OnvifCamera("ipycam", "127.0.0.1", port, USER, password, timeout=2.0, poll_interval=3600)


async def test_device_information_and_media(ipycam_port: int) -> None:
    cam = camera(ipycam_port)
    try:
        await cam.start()
        assert cam.link.state is LinkState.ONLINE
        info = await cam.device_information()
        assert (info.manufacturer, info.model) == ("PythonCam", "VirtualCam-1")
        profiles = await cam.profiles()
        assert [(p.token, p.encoding, p.width) for p in profiles] == [
            ("Profile_Main", "H264", 1920), ("Profile_Sub", "H264", 640)
        ]
        assert profiles[0].ptz and cam.capabilities.pan_tilt
        assert await cam.stream_uri() == "rtsp://127.0.0.1:8554/video_main"
        assert await cam.stream_uri("Profile_Sub") == "rtsp://127.0.0.1:8554/video_sub"
        assert await cam.snapshot_uri() == f"http://127.0.0.1:{ipycam_port}/snapshot.jpg"
        await cam.move(0.2, -0.2)
        await cam.stop_move()
    finally:
        await cam.stop()


async def test_wrong_password_is_our_auth_error(ipycam_port: int) -> None:
    cam = camera(ipycam_port, password="wrong")
    await cam.start()
    assert cam.link.state is LinkState.OFFLINE and "not authorized" in (await cam.status()).detail
    with pytest.raises(AuthError, match="not authorized"):
        await cam.device_information()
    await cam.stop()


async def test_unparseable_ptz_status_is_a_protocol_error(ipycam_port: int) -> None:
    cam = camera(ipycam_port)
    try:
        await cam.start()
        with pytest.raises(ProtocolError, match="ptz:PTZStatus"):
            await cam.position()
        assert cam.link.state is LinkState.DEGRADED
    finally:
        await cam.stop()


async def test_a_catalog_move_with_a_wrong_password_is_an_auth_error_not_a_missing_control(ipycam_port: int) -> None:
    cam = camera(ipycam_port, password="wrong")
    await cam.start()
    try:
        for command in (Move(do="move", pan=0.2, tilt=0.0), Home(do="home")):
            command.check(cam)  # the camera is not set up: its capabilities are not the reason
            with pytest.raises(AuthError):
                await command.apply(cam)
    finally:
        await cam.stop()


async def test_capabilities_from_its_profile_and_node(ipycam_port: int) -> None:
    cam = camera(ipycam_port)
    try:
        await cam.start()
        caps = cam.capabilities
        assert caps.pan_tilt and caps.zoom and caps.absolute_position and caps.presets == 10
    finally:
        await cam.stop()
