"""Uploading and deleting e-lectures on the library page in real Chromium: a lecturer uploads
slides and an MP4 in one form, the entry lists, its video plays with its own sound and the
slides open with their page count; a refused video takes the form's slides with it; deleting
asks first and removes the files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from classroom.courses.models import CourseRecord
from classroom.db import open_database
from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.support.uploads import make_mp4, make_pdf
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, new_page

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(scope="module")
def lecturer(server: ClassServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    with db.begin() as session:
        session.add(CourseRecord(id="K20", title="Khóa 20", created_at=datetime(2026, 12, 1, tzinfo=UTC)))
    files = tmp_path_factory.mktemp("files")
    make_mp4(files / "bai-giang.mp4", 3.0)
    make_pdf(files / "slide.pdf", 4)
    video = (files / "bai-giang.mp4").read_bytes()
    (files / "hong.mp4").write_bytes(video[: len(video) // 2])
    tokens = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(days=30))
    token, _ = tokens.mint("K20", Role.LECTURER, external_id="GV-1", name="Trần Thị Bình")
    yield token, files


def video_state(page: Page) -> dict:
    return page.evaluate(
        "() => { const v = document.getElementById('main-video');"
        " return { file: v.dataset.file || null, time: v.currentTime, muted: v.muted, error: v.error?.code ?? null }; }"
    )


def upload(page: Page, files: Path, title: str, video: str) -> None:
    form = page.locator("#upload-form")
    form.get_by_label("Tên bài giảng").fill(title)
    form.get_by_label("Giảng viên").fill("Trần Thị Bình")
    form.get_by_label("Ngày giảng").fill("2025-03-08")
    form.get_by_label("Video (MP4)").set_input_files(str(files / video))
    form.get_by_label("Bản trình chiếu (PDF)").set_input_files(str(files / "slide.pdf"))
    form.get_by_role("button", name="Tải lên").click()


def test_a_lecturer_uploads_watches_and_deletes_an_e_lecture(browser: Browser, server: ClassServer, lecturer) -> None:
    token, files = lecturer
    context, page = new_page(browser)
    try:
        page.goto(f"{server.url}/library#t={token}")
        page.get_by_text("Tải lên bài giảng có sẵn").click()
        upload(page, files, "Bài 1: Nhập môn", "bai-giang.mp4")
        page.wait_for_selector(".recordings li", timeout=30_000)
        if os.environ.get("CLASSBRIDGE_SCREENSHOTS"):
            page.screenshot(path=str(SCREENSHOTS / "library-upload-vi.png"))
        item = page.locator(".recordings li").first
        assert "Bài 1: Nhập môn" in item.inner_text() and "tải lên" in item.inner_text()
        assert "Đã tải lên" in page.locator("#upload-status").inner_text()

        item.get_by_role("button", name="Xem").click()
        assert page.locator("#slides-pages").inner_text() == "4 trang"
        assert page.get_by_role("link", name="Mở bản trình chiếu (PDF)").get_attribute("href", timeout=5000).startswith("/recordings/upload-K20/")
        page.get_by_role("button", name="Phát").click()
        wait_until(lambda: video_state(page)["time"] > 1.0, what="the uploaded video to play", describe=lambda: f"{video_state(page)} {dump(page)}")
        assert video_state(page)["file"] == "video.mp4" and video_state(page)["muted"] is False
        page.get_by_role("button", name="Tạm dừng").click()
        page.get_by_role("button", name="Về thư viện").click()

        # A cut-short video: refused in Vietnamese, and the slides sent before it go too.
        upload(page, files, "Bài 2: Hỏng", "hong.mp4")
        wait_until(lambda: "Không đọc được video" in page.locator("#upload-status").inner_text(), what="the refusal", describe=lambda: dump(page))
        assert page.locator(".recordings li").count() == 1
        folder = server.data_dir / "recordings" / "upload-K20"
        assert len(list(folder.iterdir())) == 1

        # Slides alone: listed with their pages; opened, there is nothing to play, only the slides.
        form = page.locator("#upload-form")
        form.get_by_label("Tên bài giảng").fill("Bài 3: Chỉ có bản trình chiếu")
        form.get_by_label("Video (MP4)").set_input_files([])  # the refused form kept its files
        form.get_by_label("Bản trình chiếu (PDF)").set_input_files(str(files / "slide.pdf"))
        form.get_by_role("button", name="Tải lên").click()
        slides_only = page.locator(".recordings li", has_text="Bài 3")
        slides_only.wait_for()
        assert "bản trình chiếu 4 trang" in slides_only.inner_text()
        slides_only.get_by_role("button", name="Xem").click()
        assert page.locator(".stage").is_hidden() and page.locator("#play").is_hidden()
        assert page.get_by_role("link", name="Mở bản trình chiếu (PDF)").is_visible()
        page.get_by_role("button", name="Về thư viện").click()

        for title in ("Bài 1: Nhập môn", "Bài 3: Chỉ có bản trình chiếu"):
            page.locator(".recordings li", has_text=title).get_by_role("button", name="Xóa").click()
            dialog = page.locator("#confirm-delete")
            assert title in dialog.inner_text()
            dialog.get_by_role("button", name="Xóa").click()
            page.locator(".recordings li", has_text=title).wait_for(state="detached")
        page.wait_for_selector("#empty:not([hidden])")
        assert list(folder.iterdir()) == []
    finally:
        context.close()
