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

from playwright.sync_api import Page, sync_playwright

from tests.web.support import ClassServer, join, launch, new_page, wait_for, with_lang

LECTURER = "TS. Nguyễn Văn An"
TRAINEES = ("Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung")


def settle(page: Page) -> None:
    """Let video render and the quality indicator take its first sample."""
    wait_for(lambda: page.locator("#quality").is_visible(), 10, "the quality indicator")
    time.sleep(0.5)


def shoot(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        server = ClassServer(Path(tmp) / "data").start()
        browser = launch(playwright)
        try:
            for lang in ("vi", "en"):
                created = server.create_class("Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12")
                links = {role: with_lang(link, lang) for role, link in created["links"].items()}

                _, prejoin = new_page(browser)
                prejoin.goto(links["trainee"])
                prejoin.wait_for_selector(".preview video")
                prejoin.fill("#name", TRAINEES[0])
                time.sleep(1)
                saved.append(out / f"prejoin-{lang}.png")
                prejoin.screenshot(path=saved[-1])

                _, lecturer = new_page(browser)
                join(lecturer, links["lecturer"], LECTURER)
                trainees = []
                for name in TRAINEES:
                    _, page = new_page(browser)
                    join(page, links["trainee"], name)
                    trainees.append(page)
                trainees[1].click("[data-control=mic]")  # one trainee muted: the badge shows
                lecturer.click("[data-control=share]")
                wait_for(lambda: trainees[0].locator('.stage-main [data-tile$=":screen"]').count() == 1, 15, "the slides")
                settle(lecturer)
                settle(trainees[0])
                saved.append(out / f"lecturer-{lang}.png")
                lecturer.screenshot(path=saved[-1])
                saved.append(out / f"trainee-{lang}.png")
                trainees[0].screenshot(path=saved[-1])
                lecturer.click("[data-control=end]")
                lecturer.locator("dialog[open] button[value=confirm]").click()
                lecturer.wait_for_selector('.card[data-state="class_ended"]')

            created = server.create_class("Lớp trên điện thoại")
            _, lecturer = new_page(browser)
            join(lecturer, created["links"]["lecturer"], LECTURER)
            phone_context = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
            phone = phone_context.new_page()
            join(phone, created["links"]["trainee"], TRAINEES[2])
            settle(phone)
            saved.append(out / "trainee-phone-vi.png")
            phone.screenshot(path=saved[-1])

            _, expired = new_page(browser)
            expired.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=8))
            expired.goto(with_lang(created["links"]["trainee"], "en"))
            expired.wait_for_selector('.card[data-state="link_expired"]')
            saved.append(out / "link-expired-en.png")
            expired.screenshot(path=saved[-1])
        finally:
            browser.close()
            server.stop()
    return saved


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    for path in shoot(parser.parse_args().out):
        print(path)
