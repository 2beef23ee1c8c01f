"""When the camera's stream cannot pass as is, the agent re-encodes and says why; a USB-style
capture device goes through OpenCV. Either way a trainee decodes the room video."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.agent.support import AgentProcess, room_camera_at_trainee
from tests.support.rtsp_camera import RtspCamera
from tests.support.server import free_port
from tests.support.wait import until
from tests.web.support import ClassServer

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(240)]


async def agent_with(server: ClassServer, tmp_path: Path, camera: str) -> tuple[AgentProcess, dict]:
    created = server.create_class("Lớp có camera phòng")
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", created["links"]["room"]]
        + ["--camera", camera, "--no-audio"],
    ).start()
    await until(lambda: agent.video().get("state") == "live" and agent.status().get("state") == "in_class",
                60, "the agent live in the class", describe=agent.tail)  # fmt: skip
    return agent, created


async def test_a_high_profile_camera_is_re_encoded_and_the_status_says_why(server: ClassServer, tmp_path: Path) -> None:
    camera = RtspCamera(free_port(), tmp_path / "camera.log", ("--width", "640", "--height", "360", "--profile", "high")).start()
    try:
        agent, created = await agent_with(server, tmp_path, camera.url)
        try:
            video = agent.video()
            assert video["mode"] == "re-encoded" and video["profile"].startswith("high"), video
            assert video["reason"] == "the relay does not take H.264 high"
            assert await room_camera_at_trainee(server, created) == (640, 360)
        finally:
            agent.stop()
    finally:
        camera.stop()
    assert "H264Encoder.encode" in agent.codecs()  # it did encode, as its status said


def capture_file(path: Path, seconds: int = 60) -> None:
    """A video file OpenCV opens like a capture device (no USB camera on a test machine)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(15 * seconds):
            image = np.full((240, 320, 3), 40, dtype=np.uint8)
            image[:, (i * 4) % 300 : (i * 4) % 300 + 20] = 220
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 15)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


async def test_a_capture_device_goes_through_opencv(server: ClassServer, tmp_path: Path) -> None:
    source = tmp_path / "capture.avi"
    capture_file(source)
    agent, created = await agent_with(server, tmp_path, str(source))
    try:
        video = agent.video()
        assert (video["mode"], video["reason"], video["codec"]) == ("re-encoded", "local capture device", "raw"), video
        assert await room_camera_at_trainee(server, created) == (320, 240)
    finally:
        agent.stop()
