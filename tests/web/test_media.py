"""web/static/js/media.js and the page around it: a computer without a camera, and a device
unplugged in the middle of a class."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Playwright

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, launch, media, new_page, tile_names

pytestmark = pytest.mark.browser


def test_without_a_camera_the_trainee_joins_with_the_microphone(
    playwright: Playwright, browser: Browser, server: ClassServer
) -> None:
    links = server.create_class("Lớp không camera")["links"]
    no_camera = launch(playwright, devices="device-count=0")
    lecturer_context, lecturer = new_page(browser)
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        context, trainee = new_page(no_camera)
        trainee.goto(links["trainee"])
        problem = trainee.locator('.problem[data-problem="no_camera"]')
        problem.wait_for(timeout=15_000)
        assert "Không tìm thấy camera. Bạn vẫn có thể vào lớp bằng micrô." in problem.inner_text()
        assert trainee.locator(".preview-off").is_visible()
        assert trainee.locator("#camera-select").input_value() == ""  # "Không dùng camera"
        trainee.fill("#name", "Trần Thị Bình")
        trainee.click(".btn-join")
        trainee.wait_for_selector(".classroom", timeout=20_000)
        assert trainee.locator("[data-control=camera]").is_disabled()
        assert trainee.locator("[data-control=mic]").is_enabled()

        # The lecturer hears the trainee and sees a name tile without picture.
        wait_until(lambda: tile_names(lecturer) == ["Trần Thị Bình"], 15, "the trainee's tile")
        tile = lecturer.locator(".grid .tile").first
        wait_until(
            lambda: "camera-off" in (tile.get_attribute("class") or ""),
            10,
            "the placeholder on the tile",
        )
        assert tile.locator(".avatar").inner_text() == "TB"
        wait_until(lambda: media(lecturer)["audioPackets"] > 0, 15, "the trainee's audio")
        assert media(lecturer)["videoPackets"] == 0
        context.close()
    finally:
        lecturer_context.close()
        no_camera.close()


def test_an_unplugged_camera_is_reported_and_taken_back(
    browser: Browser, server: ClassServer
) -> None:
    links = server.create_class("Lớp rút camera")["links"]
    context, trainee = new_page(browser)
    try:
        join(trainee, links["trainee"], "Lê Văn Cường")
        trainee.wait_for_selector(".self .tile video")
        # The browser fires "ended" on a capture track whose device goes away; fake devices
        # cannot be unplugged, so the test fires that event on the camera track itself.
        trainee.evaluate(
            """() => {
              const sender = window.__classbridgePcs.flatMap((pc) => pc.getSenders()).find((s) => s.track?.kind === "video");
              sender.track.dispatchEvent(new Event("ended"));
            }"""
        )
        banner = trainee.locator('.notice[data-notice="device-camera"]')
        banner.wait_for(timeout=5_000)
        assert "Camera đã bị ngắt kết nối" in banner.inner_text()
        camera = trainee.locator("[data-control=camera]")
        assert camera.inner_text() == "Bật camera"
        assert trainee.locator(".self .tile").count() == 0

        camera.click()  # the camera is back: take it
        banner.wait_for(state="detached", timeout=10_000)
        trainee.wait_for_selector(".self .tile video")
        assert camera.inner_text() == "Tắt camera"
        sent = trainee.evaluate(
            """() => window.__classbridgePcs.flatMap((pc) => pc.getSenders())
                 .filter((s) => s.track?.kind === "video").map((s) => s.track.readyState)"""
        )
        assert sent == ["live"], dump(trainee)
    finally:
        context.close()
