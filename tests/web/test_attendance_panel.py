"""Live attendance in the lecturer's class page, in real Chromium: the trainees who are in and
since when, their time online ticking, who has left; the report downloads as CSV with the
lecturer's own link (the class report as XLSX). The trainee's page has no such panel."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, BrowserContext

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, with_lang

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]  # three browsers on a loaded machine


def test_the_lecturer_sees_who_is_in_for_how_long_and_downloads_the_report(
    browser: Browser, server: ClassServer
) -> None:
    created = server.create_class("Lớp điểm danh trực tiếp")
    cid = created["id"]
    contexts: list[BrowserContext] = []
    try:
        lecturer_context, lecturer = new_page(browser, accept_downloads=True)
        contexts.append(lecturer_context)
        join(lecturer, with_lang(created["links"]["lecturer"], "en"), "Nguyễn Văn An")
        trainees = []
        for number, name in ((1, "Trần Thị Bình"), (2, "Lê Văn Cường")):
            context, page = new_page(browser)
            contexts.append(context)
            join(page, server.link(cid, "trainee", external_id=f"HV{number}", name=name))
            trainees.append((context, page))
        assert trainees[0][1].locator(".attendance-panel").count() == 0

        lecturer.get_by_role("button", name="Participants").click()
        panel = lecturer.locator(".attendance-panel")
        panel.get_by_role("heading", name="Attendance").wait_for()
        binh = panel.locator(".attendance-person", has_text="Trần Thị Bình")
        # The panel reads the report when it opens and every 10 s.
        wait_until(
            lambda: lecturer.locator(".attendance-person.is-in").count() == 2,
            30,
            "both trainees listed as in class",
            describe=lambda: dump(lecturer),
        )
        assert "In class since" in binh.inner_text() and binh.locator(".attendance-where").inner_text() == "Online"
        first = binh.locator(".attendance-online").inner_text()
        wait_until(
            lambda: binh.locator(".attendance-online").inner_text() != first,
            10,
            "Bình's time online to tick",
            describe=lambda: dump(lecturer),
        )
        assert "2 in class now, 2 have joined" in panel.locator(".attendance-summary").inner_text()

        trainees[1][0].close()  # Cường's browser goes away
        contexts.remove(trainees[1][0])
        cuong = panel.locator(".attendance-person", has_text="Lê Văn Cường")
        wait_until(
            lambda: "Left at" in cuong.inner_text(),
            40,
            "Cường shown as left",
            describe=lambda: dump(lecturer),
        )
        assert "1 in class now, 2 have joined" in panel.locator(".attendance-summary").inner_text()

        with lecturer.expect_download() as caught:
            panel.get_by_role("button", name="Download report (Excel)").click()
        download = caught.value
        assert download.suggested_filename.endswith(".xlsx") and cid in download.suggested_filename
        book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))  # no extension
        text = " | ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
        assert "Trần Thị Bình" in text and "Lê Văn Cường" in text and "HV1" in text
        assert "Time online" in text or "Thời gian" in text  # the page's language (English here)
    finally:
        for context in contexts:
            context.close()


def test_the_panel_speaks_vietnamese(browser: Browser, server: ClassServer) -> None:
    created = server.create_class("Lớp tiếng Việt")
    context, lecturer = new_page(browser)
    try:
        join(lecturer, with_lang(created["links"]["lecturer"], "vi"), "Nguyễn Văn An")
        lecturer.locator(".btn[data-panel='people'], button:has-text('Người tham gia')").first.click()
        panel = lecturer.locator(".attendance-panel")
        panel.get_by_role("heading", name="Điểm danh").wait_for()
        wait_until(
            lambda: "Chưa có học viên nào vào lớp." in panel.inner_text(),
            20,
            "the empty list's words",
            describe=lambda: dump(lecturer),
        )
        assert panel.get_by_role("button", name="Tải báo cáo (Excel)").count() == 1
    finally:
        context.close()
