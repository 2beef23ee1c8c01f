"""The e-lecture library in real Chromium: a trainee's course link lists the course's
recordings, the playback page plays the tracks together, seeks to a chapter (the shared
screen large, the lecturer beside it), and what was actually played is stored (the jump is
not counted). Also writes the library and playback screenshots (docs/screenshots/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from classroom.courses.models import CourseRecord
from classroom.db import open_database
from classroom.recording.watching import watched_seconds
from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.support.recordings import make_recording
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, new_page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def course(server: ClassServer) -> Iterator[str]:
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    with db.begin() as session:
        session.add(CourseRecord(id="K12", title="Khóa 12", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
    make_recording(server.data_dir / "recordings", "c1", "K12", "Buổi 3: Kỹ năng lãnh đạo", seconds=20, screen_from=8)
    tokens = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(days=30))
    token, _ = tokens.mint("K12", Role.TRAINEE, external_id="HV-1", name="Lê Văn Cường")
    yield token


def state(page: Page) -> dict:
    return page.evaluate(
        """() => {
          const p = globalThis.__library?.player();
          const main = document.getElementById('main-video');
          return p ? { position: p.position, playing: p.playing, main: main.dataset.file || null,
                       mainTime: main.currentTime, side: document.getElementById('side-video').dataset.file || null } : {};
        }"""
    )


def test_play_seek_to_a_chapter_and_the_played_ranges_are_stored(browser: Browser, server: ClassServer, course: str) -> None:
    context, page = new_page(browser)
    try:
        page.goto(f"{server.url}/library#t={course}")
        page.wait_for_selector(".recordings li")
        assert "Buổi 3: Kỹ năng lãnh đạo" in page.locator(".recordings").inner_text()
        if os.environ.get("CLASSBRIDGE_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOTS / "library-vi.png"))
        page.get_by_role("button", name="Xem").click()
        page.get_by_role("button", name="Phát").click()
        wait_until(lambda: state(page).get("mainTime", 0) > 1.5, what="the camera to play", describe=lambda: f"{state(page)} {dump(page)}")
        assert state(page)["main"].endswith("camera.webm") and state(page)["side"] is None
        page.get_by_role("button", name="Nguyễn Văn An chia sẻ màn hình").click()
        wait_until(
            lambda: (s := state(page)).get("main", "").endswith("screen.webm") and s["mainTime"] > 1.0,
            what="the shared screen to play large", describe=lambda: str(state(page)),
        )
        assert state(page)["side"].endswith("camera.webm") and state(page)["position"] >= 8.8
        if os.environ.get("CLASSBRIDGE_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOTS / "playback-vi.png"))
        page.get_by_role("button", name="Tạm dừng").click()
        position = state(page)["position"]
        db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
        seconds = wait_until(lambda: watched_seconds(db, "K12").get("HV-1", {}).get("c1/r1"), what="the watched ranges")
        # Played about 1.5 s from the start and then from the chapter (8 s) on; the jump over
        # the seconds in between is not watching.
        assert 2.0 <= seconds <= position - 8.0 + 4.0, (seconds, position)
    finally:
        context.close()


def test_the_page_on_a_phone_in_english(browser: Browser, server: ClassServer, course: str) -> None:
    context, page = new_page(browser)
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(f"{server.url}/library?lang=en#t={course}&r=c1/r1")
        page.wait_for_selector("#player:not([hidden])")
        assert page.locator("h3").first.inner_text() == "Chapters"
        assert page.get_by_role("button", name="Nguyễn Văn An presents").is_visible()
        box = page.locator(".main-view").bounding_box()
        assert box is not None and box["width"] <= 390
    finally:
        context.close()
