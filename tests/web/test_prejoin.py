"""The pre-join page (web/static/js/ui/prejoin.js and its part of app.js): name, preview,
device pickers, observers without capture, keyboard use and a phone-sized screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.wait import wait_until
from tests.web.support import ClassServer, join, new_page

pytestmark = pytest.mark.browser


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context, _ = new_page(browser)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.pages[0]


def test_a_name_is_required_when_the_link_has_none(page: Page, server: ClassServer) -> None:
    page.goto(server.create_class("Lớp cần tên")["links"]["trainee"])
    page.wait_for_selector(".preview video")
    page.click(".btn-join")
    error = page.locator("#name-error")
    assert error.is_visible() and error.inner_text() == "Vui lòng nhập tên để vào lớp."
    assert page.locator("#name").get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "name"
    assert page.locator(".classroom").count() == 0


def test_the_links_name_is_shown_and_used(page: Page, server: ClassServer) -> None:
    class_id = server.create_class("Lớp có tên sẵn")["id"]
    page.goto(server.link(class_id, "trainee", name="Nguyễn Thị Lan", external_id="HV-7"))
    assert page.locator(".name-fixed").inner_text() == "Nguyễn Thị Lan"
    assert page.locator("#name").count() == 0
    page.click(".btn-join")
    page.wait_for_selector(".classroom", timeout=20_000)
    assert page.locator(".self .tile-name").inner_text() == "Nguyễn Thị Lan (bạn)"


def test_the_preview_pickers_and_a_remembered_name(
    context: BrowserContext, page: Page, server: ClassServer
) -> None:
    link = server.create_class("Lớp chọn thiết bị")["links"]["trainee"]
    page.goto(link)
    page.wait_for_selector(".preview video")
    wait_until(
        lambda: page.locator(".preview video").evaluate("v => v.videoWidth > 0"),
        10,
        "the camera preview",
    )
    cameras = page.locator("#camera-select option").all_inner_texts()
    assert cameras[-1] == "Không dùng camera" and len(cameras) >= 2
    assert page.locator("#microphone-select option").all_inner_texts()[-1] == "Không dùng micrô"
    assert page.locator(".meter").get_attribute("aria-label") == "Mức âm thanh micrô"

    page.select_option("#camera-select", "")  # no camera
    wait_until(lambda: page.locator(".preview-off").is_visible(), 10, "the camera-off placeholder")
    page.fill("#name", "Phạm Văn Đức")
    page.click(".btn-join")
    page.wait_for_selector(".classroom", timeout=20_000)
    assert page.locator("[data-control=camera]").is_disabled()
    assert page.locator(".self .tile").count() == 0

    page.click("[data-control=leave]")
    page.wait_for_selector('.card[data-state="left"]')
    second = context.new_page()
    second.goto(link)
    second.wait_for_selector(".btn-join")
    assert second.locator("#name").input_value() == "Phạm Văn Đức"  # remembered in this browser
    assert second.locator("#camera-select").input_value() == ""  # and so is "no camera"
    second.close()


def test_observers_skip_capture_and_only_receive(
    page: Page, browser: Browser, server: ClassServer
) -> None:
    links = server.create_class("Lớp có người dự giờ")["links"]
    lecturer_context, lecturer = new_page(browser)
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        page.goto(links["observer"])
        note = page.locator(".prejoin .note")
        assert "chỉ xem và nghe" in note.inner_text()
        assert page.locator(".preview").count() == 0 and page.locator("#camera-select").count() == 0
        page.fill("#name", "Thanh tra Hồ Văn Khoa")
        page.click(".btn-join")
        page.wait_for_selector(".classroom", timeout=20_000)
        controls = page.locator(".toolbar button").evaluate_all(
            "bs => bs.map((b) => b.dataset.control)"
        )
        assert controls == ["react", "chat", "audioOnly", "saveData", "leave"]  # reads the chat, never writes
        page.click("[data-control=chat]")
        assert page.locator("#chat-input").is_disabled()
        wait_until(
            lambda: page.locator(".stage-main .tile video").evaluate("v => v.videoWidth > 0"),
            20,
            "the lecturer's video",
        )
        senders = page.evaluate(
            "window.__classbridgePcs.flatMap((pc) => pc.getSenders()).filter((s) => s.track).length"
        )
        assert senders == 0
    finally:
        lecturer_context.close()


def test_the_keyboard_is_enough_to_join(page: Page, server: ClassServer) -> None:
    page.goto(server.create_class("Lớp bàn phím")["links"]["trainee"])
    page.wait_for_selector(".preview video")
    assert page.evaluate("document.activeElement.id") == "name"  # focus starts in the name field
    page.keyboard.type("Đỗ Thị Mai")
    page.keyboard.press("Enter")
    page.wait_for_selector(".classroom", timeout=20_000)
    page.locator("[data-control=mic]").focus()
    page.keyboard.press("Enter")
    wait_until(
        lambda: page.locator("[data-control=mic]").inner_text() == "Bật micrô",
        5,
        "mute by keyboard",
    )


def test_a_phone_sized_screen(browser: Browser, server: ClassServer) -> None:
    links = server.create_class("Lớp trên điện thoại")["links"]
    lecturer_context, lecturer = new_page(browser)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        join(page, links["trainee"], "Trịnh Văn Nam")
        page.wait_for_selector(".stage-main .tile")
        page.wait_for_selector(".self .tile")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        for name in ("Tắt micrô", "Tắt camera", "Chỉ nghe âm thanh", "Rời lớp"):
            button = page.get_by_role("button", name=name)
            assert button.is_visible()  # labels are hidden visually, never from screen readers
            box = button.bounding_box()
            assert box is not None and box["width"] >= 44 and box["height"] >= 44  # touch target
            assert (
                box["y"] + box["height"] <= 740 and box["x"] + box["width"] <= 360
            )  # on screen, no scrolling
    finally:
        context.close()
        lecturer_context.close()
