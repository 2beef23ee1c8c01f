"""The technician console in Chromium against the example room on simulators.

The server runs in this process, so a test can look at what a simulator's device actually
did (the camera's position, the display's input) after a click in the page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from signaling.auth.room_access import LECTURER_ACTIONS
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
    expect(steps.nth(0).locator(".label")).to_have_text("Máy chiếu: bật nguồn")  # the device by its role
    expect(card(page, "projector")).to_have_attribute("data-power", "on")
    display = console_server.simulator("room-101/display")
    assert display.state.volume == 30
    # the scene by its title, the run in words (not the id "start", not "8/8 steps ok")
    expect(page.locator(".audit tbody tr").first).to_contain_text("Bắt đầu buổi học", timeout=5000)
    expect(page.locator(".audit tbody tr").first).to_contain_text("chạy kịch bản, xong 8/8 bước")


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
    # Vietnamese unless the user chose otherwise, whatever language the browser prefers.
    expect(page.locator("h1")).to_have_text("Bảng điều khiển kỹ thuật – phòng học thông minh")
    page.goto(f"{console_server.url}/console?lang=en")
    expect(page.locator("h1")).to_have_text("Technician console – smart rooms")
    page.locator("input[name='token']").fill("wrong-token-0123456789")
    page.locator("form.login button[type='submit']").click()
    expect(page.locator(".refused")).to_have_text("The access token is wrong.")
    page.locator("input[name='token']").fill(console_server.admin_token)
    page.locator("form.login button[type='submit']").click()
    expect(card(page, "display")).to_have_attribute("data-link", "online")
    expect(page.locator("#who")).to_have_text("Admin")
    page.goto(f"{console_server.url}/console")  # English is remembered, the tab keeps its credential
    expect(page.locator("#who")).to_have_text("Admin")
    expect(page.locator("h1")).to_have_text("Technician console – smart rooms")
    page.locator("[data-lang='vi']").click()
    expect(page.locator("h1")).to_have_text("Bảng điều khiển kỹ thuật – phòng học thông minh")
    context.close()


def serving(actions: list[str]) -> Callable[[Route], None]:
    """A route handler answering the lecturer list with `actions` in the server's place."""
    return lambda route: route.fulfill(json=actions)


def test_a_lecturer_gets_what_the_servers_list_allows(browser: Browser, console_server: ConsoleServer) -> None:
    """A lecturer signed in with their join link's token gets the controls of the server's
    lecturer list (GET /api/lecturer-actions), not of a copy in the page: the same page with
    another list served in its place offers other controls."""
    admin = {"Authorization": f"Bearer {console_server.admin_token}"}
    created = httpx.post(
        f"{console_server.url}/api/classes", json={"title": "Lớp có phòng", "room": "room-101"}, headers=admin
    )
    assert created.status_code == 201, created.text
    token = created.json()["links"]["lecturer"].split("#t=", 1)[1]
    served = httpx.get(f"{console_server.url}/api/lecturer-actions")
    assert served.json() == sorted(LECTURER_ACTIONS)
    for actions in (None, ["move", "position", "stop", "view", "zoom"]):
        context = browser.new_context(locale="vi-VN")
        if actions is not None:
            context.route("**/api/lecturer-actions", serving(actions))
        page = context.new_page()
        page.goto(f"{console_server.url}/console")
        page.locator("input[name='token']").fill(token)
        page.locator("form.login button[type='submit']").click()
        camera = card(page, "camera")
        expect(camera).to_be_visible()
        expect(page.locator("#who")).to_contain_text("Giảng viên")
        expect(camera.locator("[data-action='ptz-right']")).to_have_count(1)
        expect(page.locator("[data-position]")).to_have_count(3)
        expect(camera.locator("[data-action='preset-save']")).to_have_count(0)  # not a lecturer's
        expect(card(page, "display").locator("[data-action='power-on']")).to_have_count(0)
        listed = actions is None  # the real list has home, preset recall, mute and scenes
        expect(camera.locator("[data-action='home']")).to_have_count(1 if listed else 0)
        expect(camera.locator("[data-action='preset-recall']")).to_have_count(1 if listed else 0)
        expect(card(page, "mic").locator("[data-action='mute-on']")).to_have_count(1 if listed else 0)
        expect(page.locator("[data-scene]")).to_have_count(3 if listed else 0)  # "end" is for technicians
        context.close()
