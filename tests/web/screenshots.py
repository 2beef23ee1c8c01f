"""Screenshots of the pages for docs/screenshots/: pre-join, lecturer and trainee views in
Vietnamese and English, a trainee on a phone, and a link that has expired.

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
