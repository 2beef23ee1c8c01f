"""The technician console in Chromium against the example room on simulators.

The server runs in this process, so a test can look at what a simulator's device actually
did (the camera's position, the display's input) after a click in the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.console.conftest import ConsoleServer
from tests.support.wait import wait_until

pytestmark = pytest.mark.browser


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


def card(page: Page, device: str) -> Any:
    return page.locator(f"[data-device='{device}']")


def test_the_console_shows_the_simulated_room(page: Page) -> None:
    expect(page.locator("[data-room='room-101'] .room-title")).to_have_text("Phòng 101 – Hội trường A")
    for device in ("camera", "camera-wide", "display", "projector", "mic"):
        expect(card(page, device)).to_have_attribute("data-link", "online")
    expect(card(page, "camera").locator("[data-field='link']")).to_have_text("Trực tuyến")
    expect(page.locator("#who")).to_contain_text("Kỹ thuật viên Tuấn")
    expect(page).not_to_have_url("**#t=*")  # the token left the address bar
    expect(page.locator("[data-scene]")).to_have_count(4)
    expect(page.locator("[data-position]")).to_have_count(3)


def test_pressing_a_preset_moves_the_simulated_camera(page: Page, console_server: ConsoleServer) -> None:
    camera = console_server.simulator("room-101/camera").camera
    camera.presets[3] = (800.0, 200.0, 1200.0)
    camera_card = card(page, "camera")
    camera_card.locator("[data-control='preset']").fill("3")
    camera_card.locator("[data-action='preset-recall']").click()
    wait_until(lambda: camera.snapshot()["pan"] == 800 and camera.snapshot()["zoom"] == 1200, what="the camera at preset 3")
    expect(camera_card.locator("[data-field='position']")).to_have_text("800 / 200 / 1200")


def test_the_ptz_pad_moves_while_held(page: Page, console_server: ConsoleServer) -> None:
    camera = console_server.simulator("room-101/camera").camera
    right = card(page, "camera").locator("[data-action='ptz-right']")
    right.hover()
    page.mouse.down()
    wait_until(lambda: camera.pan.velocity > 0, what="the camera panning right")
    page.mouse.up()
    wait_until(lambda: camera.pan.velocity == 0, what="the camera stopping on release")


def test_running_a_scene_shows_its_steps_results(page: Page, console_server: ConsoleServer) -> None:
    page.locator("[data-scene='start']").click()
    run = page.locator(".run")
    expect(run).to_have_attribute("data-state", "succeeded", timeout=15000)
    steps = run.locator("[data-step]")
    expect(steps).to_have_count(8)
    for index in range(8):
        expect(steps.nth(index)).to_have_attribute("data-state", "ok")
    expect(steps.nth(0).locator(".label")).to_have_text("projector: bật nguồn")
    expect(card(page, "projector")).to_have_attribute("data-power", "on")
    display = console_server.simulator("room-101/display")
    assert display.state.volume == 30
    expect(page.locator(".audit tbody tr").first).to_contain_text("start", timeout=5000)


def test_a_failing_step_is_shown_with_its_reason(page: Page, console_server: ConsoleServer) -> None:
    projector = console_server.simulator("room-101/projector")
    projector.faults.busy = True
    try:
        page.locator("[data-scene='presentation']").click()
        run = page.locator(".run")
        expect(run).to_have_attribute("data-state", "partial", timeout=10000)
        failed = run.locator("[data-step='0']")
        expect(failed).to_have_attribute("data-state", "failed")
        expect(failed.locator(".detail")).not_to_be_empty()
        expect(run.locator("[data-step='1']")).to_have_attribute("data-state", "ok")
    finally:
        projector.faults.clear()


def test_a_device_unplugged_shows_offline_then_comes_back(page: Page, console_server: ConsoleServer) -> None:
    mic = console_server.simulator("room-101/mic")
    expect(card(page, "mic")).to_have_attribute("data-link", "online")
    console_server.call(mic.stop)
    expect(card(page, "mic")).to_have_attribute("data-link", "offline", timeout=5000)
    console_server.call(mic.start)
    expect(card(page, "mic")).to_have_attribute("data-link", "online", timeout=15000)


def test_english_and_the_admin_token(browser: Browser, console_server: ConsoleServer) -> None:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{console_server.url}/console")
    page.locator("input[name='token']").fill("wrong-token-0123456789")
    page.locator("form.login button[type='submit']").click()
    expect(page.locator(".refused")).to_have_text("The access token is wrong.")
    page.locator("input[name='token']").fill(console_server.admin_token)
    page.locator("form.login button[type='submit']").click()
    expect(card(page, "display")).to_have_attribute("data-link", "online")
    expect(page.locator("#who")).to_have_text("Admin")
    page.locator("[data-lang='vi']").click()
    expect(page.locator("h1")).to_have_text("Bảng điều khiển kỹ thuật – phòng học thông minh")
    context.close()

