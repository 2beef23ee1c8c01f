"""The Vietnamese console and class page show no English: after commands, refusals, a camera
position, scenes (one failing on a simulator's fault knob), a setting put back, a device going
offline and back, every visible word on the page is Vietnamese, or data.

Data is what people and devices named (people, rooms, scenes, devices, inputs): the pages mark
it (`data-user-text`, `translate="no"`, set by the shared `el()`), and the check skips it. The
English the server keeps for logs and exports may appear in tooltips (`title`), which the
check does not read; everything else (text, `aria-label`, `placeholder`) is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from devices.mdc.values import InputSource
from tests.console.conftest import ConsoleServer
from tests.support.wait import wait_until
from tests.web.support import ADMIN_TOKEN, ClassServer, join, new_page, with_lang

pytestmark = pytest.mark.browser

# Words that only English would put on these pages (device ids like "camera", "display" are
# data and skipped with it; "camera", "video", "zoom", and "to", "in" (phóng to, in ấn) are
# Vietnamese words too, so not here).
STOP_WORDS = frozenset(
    """
    the and of is by for at on off was not no yes true false null undefined none
    admin supervision controller schedule technician lecturer scene scenes step steps run
    failed failure error errors offline online degraded connecting ok done running cancelled
    partial info link device devices timed timeout answer polls owned apply mute unmute power
    input volume gain preset recall save position move stop wait ready busy refused unsupported
    warming cooling projector microphone display
    """.split()
)

VISIBLE_WORDS = """
() => {
  const data = (el) => el.closest("[data-user-text], [translate='no']");
  const seen = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.textContent.trim();
    if (text && !data(el) && el.checkVisibility()) seen.push(text);
  }
  for (const el of document.querySelectorAll("[aria-label], [placeholder]")) {
    if (data(el) || !el.checkVisibility()) continue;
    for (const name of ["aria-label", "placeholder"]) if (el.hasAttribute(name)) seen.push(el.getAttribute(name));
  }
  return { lang: document.documentElement.lang, seen };
}
"""


def english_on(page: Page) -> list[str]:
    """Every visible text (not data) that has a word of the stop-list, with the word."""
    found: dict[str, Any] = page.evaluate(VISIBLE_WORDS)
    assert found["lang"] == "vi"
    texts: list[str] = found["seen"]
    assert texts, "nothing visible"
    return [
        f"{word!r} in {text!r}"
        for text in texts
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower())
        if word in STOP_WORDS
    ]


def card(page: Page, device: str) -> Any:
    return page.locator(f"[data-device='{device}']")


def command(server: ConsoleServer, device: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/rooms/room-101/devices/{device}/commands",
        json=body,
        headers={"Authorization": f"Bearer {server.admin_token}"},
        timeout=10,
    )


@pytest.fixture
def console(browser: Browser, console_server: ConsoleServer) -> Iterator[Page]:
    """The admin's console, in Vietnamese (the default), on a browser that prefers English."""
    context = browser.new_context(locale="en-US", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{console_server.url}/console")
    page.locator("input[name='token']").fill(console_server.admin_token)
    page.locator("form.login button[type='submit']").click()
    expect(card(page, "display")).to_have_attribute("data-link", "online", timeout=10000)
    yield page
    context.close()
    assert errors == []


def test_the_console_in_vietnamese_shows_no_english(console: Page, console_server: ConsoleServer) -> None:
    page = console
    expect(page.locator("#who")).to_have_text("Quản trị viên")  # not "Quản trị viên admin"
    # a command, and a setting kept for its owner
    card(page, "mic").locator("[data-action='mute-on']").click()
    kept = card(page, "mic").locator("[data-field='kept']")
    expect(kept).to_have_text("Tắt tiếng: có (giữ theo Quản trị viên)")  # not "true (theo admin admin)"
    # a refused command, logged with its code
    assert command(console_server, "display", {"do": "input", "input": "scart9"}).status_code == 422
    # a position, by its title
    page.locator("[data-position='lectern']").click()
    log = page.locator(".events .log")
    expect(log.locator("li[data-event='position']").first).to_contain_text("Bục giảng")
    # a scene that runs through
    page.locator("[data-scene='discussion']").click()
    run = page.locator(".run")
    expect(run).to_have_attribute("data-state", "succeeded", timeout=10000)
    # a scene failing on the projector's fault knob
    projector = console_server.simulator("room-101/projector")
    projector.faults.busy = True
    try:
        page.locator("[data-scene='presentation']").click()
        expect(run).to_have_attribute("data-state", "partial", timeout=10000)
        failed = run.locator("[data-step='0']")
        expect(failed).to_have_attribute("data-state", "failed")
        expect(failed.locator(".detail")).to_have_text("Thiết bị đang bận (khởi động hoặc làm nguội), thử lại sau.")
    finally:
        projector.faults.clear()
    # a setting changed at the device, put back by the supervision
    assert command(console_server, "display", {"do": "power", "power": True}).status_code == 200
    assert command(console_server, "display", {"do": "input", "input": "hdmi2"}).status_code == 200
    display = console_server.simulator("room-101/display")
    display.state.input = InputSource.DP1  # somebody used the remote
    expect(log.locator("li[data-event='reapply']").first).to_contain_text("Hệ thống giám sát", timeout=10000)
    wait_until(lambda: display.state.input is InputSource.HDMI2, what="the display's input put back")
    # a device gone and back
    mic = console_server.simulator("room-101/mic")
    console_server.call(mic.stop)
    expect(card(page, "mic")).to_have_attribute("data-link", "offline", timeout=5000)
    console_server.call(mic.start)
    expect(card(page, "mic")).to_have_attribute("data-link", "online", timeout=15000)
    expect(log.locator("li[data-event='link']")).not_to_have_count(0)
    # a refusal in the page's notice: the display does not answer
    display.faults.no_answer = True
    try:
        card(page, "display").locator("[data-action='mute-on']").click()
        expect(page.locator("#notice")).to_be_visible(timeout=10000)
    finally:
        display.faults.clear()
    page.locator("[data-action='audit-load']").click()
    expect(page.locator(".audit tbody tr[data-event='scene']").first).to_contain_text("Trình chiếu")
    expect(page.locator(".audit tbody tr[data-event='command']").first).to_be_visible()
    for kind in ("command", "position", "scene", "reapply"):
        expect(page.locator(f".audit tbody tr[data-event='{kind}']")).not_to_have_count(0)
    assert english_on(page) == []


# ---- the class page -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def class_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServer]:
    root: Path = tmp_path_factory.mktemp("words")
    server = ClassServer(root / "data").start()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    wait_until(lambda: httpx.get(f"{server.url}/api/rooms", headers=admin).status_code == 200, 30, "the rooms")
    yield server
    server.stop()


def test_the_lecturers_room_panel_in_vietnamese_shows_no_english(browser: Browser, class_server: ClassServer) -> None:
    """The lecturer's class page: a scene runs, another fails (the projector is off), a
    refusal comes back; all of it in Vietnamese, and in English after a switch."""
    created = class_server.api("POST", "/classes", {"title": "Lớp có phòng", "room": "room-101"})
    context, page = new_page(browser, locale="en-US")
    try:
        join(page, with_lang(created["links"]["lecturer"], "vi"), name="TS. Lan")
        panel = page.locator(".room-panel")
        expect(panel).to_be_visible(timeout=10000)
        panel.locator("[data-scene='discussion']").click()
        expect(panel.locator(".room-run")).to_have_attribute("data-state", "succeeded", timeout=10000)
        panel.locator("[data-scene='presentation']").click()  # the projector is off: its step fails
        expect(panel.locator(".room-run")).to_have_attribute("data-state", "partial", timeout=10000)
        expect(panel.locator(".room-run li[data-state='failed']")).to_contain_text("Máy chiếu: chọn nguồn vào digital2: ")
        expect(panel.locator(".room-run li[data-state='ok']")).to_contain_text("chuyển camera đến “Bảng”")
        # a refusal, in words from its code (the camera said to be offline in the server's place)
        page.route(
            "**/api/rooms/room-101/positions/lectern",
            lambda route: route.fulfill(status=503, json={"error": {"code": "device_offline", "message": "camera is offline"}}),
        )
        panel.locator("[data-position='lectern']").click()
        status = panel.locator(".room-status")
        expect(status).to_have_text("Không thực hiện được: Thiết bị đang mất kết nối.")
        assert english_on(page) == []
        # the steps and the refusal follow a switch of language, and come back
        page.select_option("#lang-select", "en")
        expect(panel.locator(".room-run li[data-state='failed']")).to_contain_text("Projector: input digital2: ")
        expect(status).to_have_text("Could not do it: The device is offline.")
        page.select_option("#lang-select", "vi")
        expect(panel.locator(".room-run li[data-state='failed']")).to_contain_text("Máy chiếu: chọn nguồn vào digital2: ")
        assert english_on(page) == []
    finally:
        context.close()
