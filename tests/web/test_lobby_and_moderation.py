"""The lecturer keeps the door (issue 12), in real Chromium: with the lobby on, a trainee
waits on a "waiting for the lecturer" page until admitted (or refused); a removed trainee's
link no longer opens the class until the lecturer lets them back in; a locked class says so.
The lecturer's page is in English here, so the English accessible names are checked too.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, tile_names, with_lang

pytestmark = pytest.mark.browser


def open_class(page: Page, link: str, name: str) -> None:
    """Press Join on the pre-join page, without waiting for the class (a lobby or a refusal)."""
    page.goto("about:blank")  # the same link again is a new page load, not a fragment change
    page.goto(link)
    page.wait_for_selector(".btn-join:not([disabled])")
    page.fill("#name", name)
    page.click(".btn-join")


def card(page: Page, state: str) -> str:
    found = page.locator(f'.card[data-state="{state}"]')
    found.wait_for(timeout=20_000)
    return found.inner_text()


def test_lobby_admit_refuse_remove_readmit_and_lock(browser: Browser, server: ClassServer) -> None:
    created = server.create_class("Lớp có phòng chờ")
    links = created["links"]
    contexts: list[BrowserContext] = []

    def person() -> Page:
        context, page = new_page(browser)
        contexts.append(context)
        return page

    try:
        lecturer = person()
        join(lecturer, with_lang(links["lecturer"], "en"), "Nguyễn Văn An")
        lecturer.get_by_role("button", name="Participants").click()
        lecturer.get_by_label("Lobby: trainees wait until you admit them").check()

        # Admit: the trainee waits, then is in the class.
        binh = person()
        open_class(binh, links["trainee"], "Trần Thị Bình")
        assert "Đang chờ giảng viên cho vào lớp…" in card(binh, "lobby_waiting")
        waiting = lecturer.locator(".lobby-list .person", has_text="Trần Thị Bình")
        waiting.wait_for(timeout=10_000)
        waiting.get_by_role("button", name="Admit").click()
        binh.wait_for_selector(".classroom", timeout=20_000)
        wait_until(lambda: tile_names(lecturer) == ["Trần Thị Bình"], 15, "the admitted trainee's tile", describe=lambda: dump(lecturer))

        # Refuse: a clear card, and the class never opens.
        cuong = person()
        open_class(cuong, links["trainee"], "Lê Văn Cường")
        card(cuong, "lobby_waiting")
        lecturer.locator(".lobby-list .person", has_text="Lê Văn Cường").get_by_role("button", name="Refuse").click()
        assert "Giảng viên chưa cho bạn vào lớp." in card(cuong, "error_refused")
        assert cuong.locator(".classroom").count() == 0

        # Remove: the trainee is out, and the same link (same browser) does not get back in.
        row = lecturer.locator(".present-list .person", has_text="Trần Thị Bình")
        row.get_by_role("button", name="Remove").click()
        lecturer.locator("dialog[open]").get_by_role("button", name="Remove").click()
        assert "Bạn đã được mời ra khỏi lớp" in card(binh, "error_removed")
        open_class(binh, links["trainee"], "Trần Thị Bình")
        assert "đường dẫn này không còn vào được lớp" in card(binh, "error_removed")

        # Let back in: the same link reaches the lobby again.
        removed = lecturer.locator(".removed-list .person", has_text="Trần Thị Bình")
        removed.wait_for(timeout=10_000)
        removed.get_by_role("button", name="Let back in").click()
        removed.wait_for(state="detached", timeout=10_000)
        open_class(binh, links["trainee"], "Trần Thị Bình")
        card(binh, "lobby_waiting")
        lecturer.locator(".lobby-list .person", has_text="Trần Thị Bình").get_by_role("button", name="Admit").click()
        binh.wait_for_selector(".classroom", timeout=20_000)

        # A personal link (the school's id) is let in at once when the lecturer says so.
        lecturer.get_by_label("Admit personal links automatically").check()
        lan = person()
        join(lan, server.link(created["id"], "trainee", name="Nguyễn Thị Lan", external_id="HV-2024-0153"))
        lecturer.get_by_label("Admit personal links automatically").uncheck()

        # Lock: nobody new gets in, with a clear message.
        lecturer.get_by_label("Lock class").check()
        dung = person()
        open_class(dung, links["trainee"], "Phạm Thị Dung")
        assert "Giảng viên đã khóa lớp" in card(dung, "error_class_locked")
        assert dung.locator("h1").inner_text() == "Lớp học đã khóa"

        # The lecturer's other controls carry their English names.
        for name in ("Chat", "Mute all", "Give the floor", "Mute", "Remove"):
            assert lecturer.get_by_role("button", name=name, exact=True).count() >= 1, name
        lecturer.get_by_role("button", name="Mute all").click()
        for trainee in (binh, lan):
            trainee.locator('.notice[data-notice="blocked-microphone"]').wait_for(timeout=10_000)
        row = lecturer.locator(".present-list .person", has_text="Trần Thị Bình")
        row.get_by_role("button", name="Give the floor", exact=True).click()
        row.get_by_role("button", name="Take back the floor", exact=True).click()
        row.get_by_role("button", name="Give the floor", exact=True).wait_for(timeout=10_000)

        # Camera off: the trainee's camera stops and they are told why.
        row.get_by_role("button", name="Camera off", exact=True).click()
        binh.locator('.notice[data-notice="blocked-camera"]').wait_for(timeout=10_000)
        assert binh.locator("[data-control=camera]").inner_text() == "Bật camera"
        tile = lecturer.locator(".grid .tile", has_text="Trần Thị Bình")
        wait_until(lambda: "camera-off" in (tile.get_attribute("class") or ""), 10, "the camera-off placeholder")
    finally:
        for context in contexts:
            context.close()
