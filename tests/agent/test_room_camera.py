"""The room camera enters the class untouched: RTSP H.264 → agent → relay → a trainee's Chromium.

A real GStreamer RTSP server encodes 1280×720 constrained-baseline H.264; the agent (a real
`classbridge room-agent` process) forwards it without a codec (the audit proves it), a trainee
in Chromium decodes it at 1280×720; when the camera goes away the trainee sees the 640×360
placeholder and, once it is back, the camera again, the agent having reconnected by itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.agent.support import AgentProcess
from tests.support import codec_audit
from tests.support.rtsp_camera import RtspCamera
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page

pytestmark = [pytest.mark.browser, pytest.mark.webrtc, pytest.mark.timeout(300)]

VIDEOS = """() => [...document.querySelectorAll('video')].map(v => ({
    w: v.videoWidth, h: v.videoHeight,
    frames: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
}))"""


def playing_at(page: Page, width: int, height: int, seen: dict[str, int]) -> dict[str, Any] | None:
    """A video element showing width×height whose decoded frame count moved since last look."""
    for i, video in enumerate(page.evaluate(VIDEOS)):
        key = f"{i}:{video['w']}x{video['h']}"
        before = seen.get(key)
        seen[key] = video["frames"]
        if (video["w"], video["h"]) == (width, height) and before is not None and video["frames"] > before:
            return dict(video)
    return None


def test_camera_passes_through_to_a_trainee_and_survives_a_cut(
    browser: Browser, server: ClassServer, camera: RtspCamera, tmp_path: Path
) -> None:
    created = server.create_class("Lớp có phòng học")
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", created["links"]["room"]]
        + ["--camera", camera.url, "--no-audio"],
    ).start()
    context, page = new_page(browser)
    try:
        join(page, created["links"]["trainee"], "Học viên")
        seen: dict[str, int] = {}

        def describe() -> str:
            return f"agent: {agent.status()}\n{agent.tail()}\npage: {dump(page)} {page.evaluate(VIDEOS)}"

        wait_until(lambda: playing_at(page, 1280, 720, seen), 60, "the room camera at 1280×720", describe=describe)
        # the agent prints its status every few seconds: the picture may reach the trainee first
        wait_until(lambda: agent.video().get("state") == "live", 30, "the agent's status of the stream", describe=describe)
        video = agent.video()
        assert (video["mode"], video["codec"], video["width"], video["height"]) == ("passthrough", "h264", 1280, 720)
        assert video["profile"].startswith("constrained baseline")

        camera.stop()  # the camera (or its cable) goes away
        wait_until(lambda: agent.video().get("state") == "lost", 30, "the agent to notice", describe=describe)
        wait_until(lambda: playing_at(page, 640, 360, seen), 60, "the placeholder picture", describe=describe)

        camera.start()  # and comes back: nobody touches the agent
        wait_until(lambda: agent.video().get("state") == "live", 60, "the agent to reconnect", describe=describe)
        wait_until(lambda: playing_at(page, 1280, 720, seen), 60, "the room camera again", describe=describe)
        assert agent.video()["reconnects"] >= 1
        assert agent.status()["state"] == "in_class"
    finally:
        context.close()
        agent.stop()
    # The agent packed H.264 with an encoder object but never encoded or decoded video: no
    # aiortc codec at work, no PyAV codec context (the audit records CodecContext.create too).
    made = agent.codecs()
    assert codec_audit.INSTALLED in made
    assert made <= {codec_audit.INSTALLED, "get_encoder", "H264Encoder"}, made
