"""Screenshots of the pages for docs/screenshots/: pre-join, lecturer and trainee views in
Vietnamese and English, the lecturer running a class (chat, the hand queue, a trainee holding
the floor) and that trainee large on another trainee's page, a trainee on a phone, and a link
that has expired.

Run: .venv/bin/python -m tests.web.screenshots [--out docs/screenshots]
The class is real (a `classbridge serve` process, Chromium's fake camera and screen).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.wait import wait_until
from tests.web.support import ClassServer, join, launch, new_page, with_lang

LECTURER = "TS. Nguyễn Văn An"
TRAINEES = ("Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")


def settle(page: Page) -> None:
    """Let video render and the quality indicator take its first sample."""
    wait_until(lambda: page.locator("#quality").is_visible(), 10, "the quality indicator")
    time.sleep(0.5)


def class_pages(browser: Browser, server: ClassServer, lang: str, out: Path) -> list[Path]:
    """Pre-join, then a lecturer sharing slides with three trainees (one muted)."""
    created = server.create_class("Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12")
    links = {role: with_lang(link, lang) for role, link in created["links"].items()}
    shots = [out / f"prejoin-{lang}.png", out / f"lecturer-{lang}.png", out / f"trainee-{lang}.png"]

    _, prejoin = new_page(browser)
    prejoin.goto(links["trainee"])
    prejoin.wait_for_selector(".preview video")
    prejoin.fill("#name", TRAINEES[0])
    time.sleep(1)
    prejoin.screenshot(path=shots[0])

    _, lecturer = new_page(browser)
    join(lecturer, links["lecturer"], LECTURER)
    trainees = []
    for name in TRAINEES:
        _, page = new_page(browser)
        join(page, links["trainee"], name)
        trainees.append(page)
    trainees[1].click("[data-control=mic]")  # one trainee muted: the badge shows
    lecturer.click("[data-control=share]")
    slides = trainees[0].locator('.stage-main [data-tile$=":screen"]')
    wait_until(lambda: slides.count() == 1, 15, "the slides")
    settle(lecturer)
    settle(trainees[0])
    lecturer.screenshot(path=shots[1])
    trainees[0].screenshot(path=shots[2])
    lecturer.click("[data-control=end]")
    lecturer.locator("dialog[open] button[value=confirm]").click()
    lecturer.wait_for_selector('.card[data-state="class_ended"]')
    return shots


CHAT = {
    "vi": ("Chào cả lớp. Hôm nay chúng ta thảo luận về kỹ năng ra quyết định.", "Dạ, em chào thầy ạ. Em xin hỏi về tình huống số 2."),
    "en": ("Good morning. Today we discuss decision-making.", "Good morning. I have a question about case 2."),
}
LABELS = {
    "vi": {"chat": "Trò chuyện", "send": "Gửi", "hand": "Giơ tay", "give": "Cho phát biểu"},
    "en": {"chat": "Chat", "send": "Send", "hand": "Raise hand", "give": "Give the floor"},
}


def running_class(browser: Browser, server: ClassServer, lang: str, out: Path) -> list[Path]:
    """The lecturer with chat open, two hands raised and a trainee holding the floor."""
    created = server.create_class("Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12")
    links = {role: with_lang(link, lang) for role, link in created["links"].items()}
    shots = [out / f"lecturer-class-{lang}.png", out / f"trainee-floor-{lang}.png"]
    words = LABELS[lang]
    _, lecturer = new_page(browser)
    join(lecturer, links["lecturer"], LECTURER)
    trainees = []
    for name in TRAINEES:
        _, page = new_page(browser)
        join(page, links["trainee"], name)
        trainees.append(page)
    for page, text in ((lecturer, CHAT[lang][0]), (trainees[1], CHAT[lang][1])):
        page.get_by_role("button", name=words["chat"], exact=True).click()
        page.fill("#chat-input", text)
        page.get_by_role("button", name=words["send"], exact=True).click()
    for page in (trainees[0], trainees[1], trainees[2]):
        page.get_by_role("button", name=words["hand"]).click()
    queue = lecturer.locator(".hand-queue .hand-item")
    wait_until(lambda: queue.count() == 3, 10, "three raised hands")
    queue.first.get_by_role("button", name=words["give"]).click()
    wait_until(lambda: queue.count() == 2, 10, "the floor given")
    floor = trainees[2].locator(".stage-main .tile-floor video")
    wait_until(lambda: floor.count() == 1 and floor.evaluate("v => v.videoWidth > 0"), 20, "the floor at another trainee")
    lecturer.wait_for_selector(".stage-floor .tile-floor")
    wait_until(lambda: lecturer.locator(".chat-line").count() == 2, 10, "both chat lines")
    settle(lecturer)
    settle(trainees[2])
    time.sleep(1.5)  # the waited times tick past zero
    lecturer.screenshot(path=shots[0])
    trainees[2].screenshot(path=shots[1])
    lecturer.click("[data-control=end]")
    lecturer.locator("dialog[open] button[value=confirm]").click()
    lecturer.wait_for_selector('.card[data-state="class_ended"]')
    return shots


def phone_and_expired(browser: Browser, server: ClassServer, out: Path) -> list[Path]:
    created = server.create_class("Lớp trên điện thoại")
    shots = [out / "trainee-phone-vi.png", out / "link-expired-en.png"]
    _, lecturer = new_page(browser)
    join(lecturer, created["links"]["lecturer"], LECTURER)
    phone_context = browser.new_context(
        viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True
    )
    phone = phone_context.new_page()
    join(phone, created["links"]["trainee"], TRAINEES[2])
    settle(phone)
    phone.screenshot(path=shots[0])

    _, expired = new_page(browser)
    expired.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=8))
    expired.goto(with_lang(created["links"]["trainee"], "en"))
    expired.wait_for_selector('.card[data-state="link_expired"]')
    expired.screenshot(path=shots[1])
    return shots


def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = ClassServer(Path(tmp) / "data").start()
        browser = launch(playwright)
        try:
            saved = [
                *class_pages(browser, server, "vi", out),
                *class_pages(browser, server, "en", out),
                *running_class(browser, server, "vi", out),
                *running_class(browser, server, "en", out),
            ]
            return saved + phone_and_expired(browser, server, out)
        finally:
            browser.close()
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in shoot(parser.parse_args().out):
        print(path)
