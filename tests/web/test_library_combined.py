"""The combined MP4 on the playback page in real Chromium: a lecturer asks for it, the page
follows the job and offers the file, which downloads; a trainee gets no button to ask."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Browser

from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.support.recordings import make_recording
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, new_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tokens(server: ClassServer) -> Iterator[dict[str, str]]:
    make_recording(server.data_dir / "recordings", "c9", "K9", "Buổi 1: Giới thiệu", seconds=4, screen_from=2)
    tokens = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(days=1))
    yield {
        role.value: tokens.mint("K9", role, external_id="HV-9" if role is Role.TRAINEE else None, name="Nguyễn Văn An")[0]
        for role in (Role.LECTURER, Role.TRAINEE)
    }


def test_a_lecturer_makes_the_mp4_and_downloads_it(browser: Browser, server: ClassServer, tokens: dict[str, str]) -> None:
    context, page = new_page(browser)
    try:
        page.goto(f"{server.url}/library#t={tokens['trainee']}&r=c9/r1")
        page.wait_for_selector("#player:not([hidden])")
        page.wait_for_load_state("networkidle")
        assert page.locator("#combined").is_hidden()  # a trainee does not ask for it
        page.goto(f"{server.url}/library#t={tokens['lecturer']}&r=c9/r1")
        page.reload()
        page.get_by_role("button", name="Tạo tệp MP4 gộp").click()
        link = page.get_by_role("link", name="Tải tệp MP4 gộp")
        wait_until(lambda: link.count() == 1, timeout=180, what="the MP4 to be made", describe=lambda: dump(page))
        href = link.get_attribute("href") or ""
        got = httpx.get(f"{server.url}{href}", timeout=30)
        assert got.status_code == 200 and got.headers["content-type"] == "video/mp4" and got.content[4:8] == b"ftyp"
    finally:
        context.close()


def test_chromium_decodes_the_recorded_opus_track(browser: Browser, server: ClassServer, tokens: dict[str, str]) -> None:
    """The microphone's WebM (with the OpusHead the recorder writes) plays in Chromium: its
    audio element decodes bytes while the recording plays."""
    context, page = new_page(browser)
    try:
        page.goto(f"{server.url}/library#t={tokens['trainee']}&r=c9/r1")
        page.wait_for_selector("#player:not([hidden])")
        page.get_by_role("button", name="Phát").click()
        decoded = """() => [...document.querySelectorAll('#audio audio')].map((a) => ({
            file: a.dataset.file || null, bytes: a.webkitAudioDecodedByteCount, error: a.error && a.error.code }))"""
        wait_until(
            lambda: any(a["bytes"] > 10_000 and a["file"].endswith("microphone.webm") for a in page.evaluate(decoded)),
            timeout=30, what="the microphone to decode", describe=lambda: f"{page.evaluate(decoded)} {dump(page)}",
        )
        assert all(a["error"] is None for a in page.evaluate(decoded))
    finally:
        context.close()
