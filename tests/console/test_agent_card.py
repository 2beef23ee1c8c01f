"""The room PC's agent in the technician console: a device of the room with its stream's health."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from signaling.server.room_agents import AgentReport
from signaling.server.state import server_of
from tests.console.conftest import ConsoleServer
from tests.console.test_console import card

pytestmark = pytest.mark.browser
SLOW = 20_000  # ms: the card reads the server every 5 s


@pytest.fixture
def page(browser: Browser, console_server: ConsoleServer) -> Iterator[Page]:
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(console_server.technician_link())
    yield page
    context.close()
    assert errors == []


def report(console_server: ConsoleServer, audio_error: str | None = None, **video: object) -> None:
    server_of(console_server.app).room_agents.report("room-101", AgentReport.model_validate({
        "version": "0.1.0", "state": "in_class", "class_id": "abc123",
        "video": {"source": "rtsp://10.0.0.5/stream1", "state": "live", "mode": "passthrough", "codec": "h264",
                  "profile": "constrained baseline 4.0 (42c028)", "width": 1920, "height": 1080, "fps": 29.9,
                  "bitrate_bps": 3_900_000, "reconnects": 0, "frames": 100, **video},
        "audio": {"capture_dbfs": -23.4, "playback_dbfs": -100, "error": audio_error},
    }))  # fmt: skip


def test_the_agent_is_a_device_of_the_room(page: Page, console_server: ConsoleServer) -> None:
    agent = card(page, "room-agent")
    expect(agent).to_have_attribute("data-link", "offline")
    expect(agent.locator("[data-field='agent-none']")).to_have_text("Máy tính phòng học chưa báo cáo về máy chủ.")
    report(console_server)
    expect(agent).to_have_attribute("data-link", "online", timeout=SLOW)
    expect(agent.locator("[data-field='state']")).to_have_text("Đang trong lớp")
    expect(agent.locator("[data-field='video']")).to_have_text("Chuyển tiếp nguyên bản, không mã hóa lại")
    expect(agent.locator("[data-field='resolution']")).to_have_text("1920×1080")
    expect(agent.locator("[data-field='bitrate']")).to_have_text("3.9 Mbit/s")
    expect(agent.locator("[data-field='capture']")).to_have_text("-23 dBFS")
    expect(agent.locator("[data-field='playback']")).to_have_text("Im lặng")
    report(console_server, state="lost", reconnects=3)
    expect(agent.locator("[data-field='video']")).to_have_text("Camera phòng học tạm mất tín hiệu", timeout=SLOW)
    expect(agent.locator("[data-field='reconnects']")).to_have_text("3")
    report(console_server, audio_error="microphone: no input audio device named 'Shure P300'", mode="re-encoded",
           reason="the relay does not take H.264 high", profile="high 4.0 (640028)")  # fmt: skip
    expect(agent.locator("[data-field='video']")).to_have_text("Đang mã hóa lại", timeout=SLOW)
    expect(agent.locator("[data-field='reason']")).to_have_text("the relay does not take H.264 high")
    expect(agent.locator("[data-field='audio-error']")).to_contain_text("Shure P300")
