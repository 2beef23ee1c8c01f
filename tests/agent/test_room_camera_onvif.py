"""The camera of the rooms file: the agent asks it for its RTSP address over ONVIF."""

from __future__ import annotations

from pathlib import Path

import pytest

from devices.sim.onvif.simulator import OnvifSimulator
from signaling.agent.camera import with_credentials
from tests.agent.support import AgentProcess, room_camera_at_trainee
from tests.devices.onvif.helpers import http_port
from tests.support.rtsp_camera import RtspCamera
from tests.support.server import free_port
from tests.support.wait import until
from tests.web.support import ClassServer

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(240)]


def test_credentials_go_into_the_address_onvif_gives() -> None:
    assert with_credentials("rtsp://10.0.0.5:554/main", "admin", "p@ss:1") == "rtsp://admin:p%40ss%3A1@10.0.0.5:554/main"
    assert with_credentials("rtsp://u:p@10.0.0.5/main", "admin", "x") == "rtsp://u:p@10.0.0.5/main"
    assert with_credentials("rtsp://10.0.0.5/main", None, None) == "rtsp://10.0.0.5/main"


async def test_the_agent_finds_the_room_camera_over_onvif(server: ClassServer, tmp_path: Path) -> None:
    simulator = OnvifSimulator(name="camera", username="admin", password="s3cret", discovery=False)
    endpoints = await simulator.start()
    # The simulated camera's first profile ("main") streams from this RTSP server.
    camera = RtspCamera(free_port(), tmp_path / "camera.log", ("--width", "640", "--height", "360", "--path", "main")).start()
    simulator.service.rtsp_port = camera.port
    rooms = tmp_path / "rooms.yaml"
    rooms.write_text(
        "rooms:\n  - name: room-101\n    devices:\n      - name: camera\n        protocol: onvif\n"
        f"        host: 127.0.0.1\n        port: {http_port(endpoints)}\n        username: admin\n"
        "        password_env: ROOM101_ONVIF_PASSWORD\n"
    )
    created = server.create_class("Lớp có camera ONVIF")
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", created["links"]["room"]]
        + ["--camera", "onvif:room-101/camera", "--rooms-file", str(rooms), "--no-audio"],
        env={"ROOM101_ONVIF_PASSWORD": "s3cret"},
    ).start()
    try:
        await until(lambda: agent.video().get("state") == "live", 60, "the camera found over ONVIF", describe=agent.tail)
        video = agent.video()
        assert (video["source"], video["mode"]) == ("room-101/camera (ONVIF)", "passthrough"), video
        assert "GetStreamUri" in simulator.service.history
        assert await room_camera_at_trainee(server, created) == (640, 360)
    finally:
        agent.stop()
        camera.stop()
        await simulator.stop()
