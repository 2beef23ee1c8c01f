"""Recording in real Chromium: the lecturer's Record button, “Đang ghi hình” on every page while
it runs, the pre-join page of a late trainee saying the class is recorded, and the files the
server wrote from the pages' real WebRTC media."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from tests.support.wait import wait_until
from tests.web.support import ClassServer, Classroom, dump, new_page, open_classroom

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def classroom(browser: Browser, server: ClassServer) -> Iterator[Classroom]:
    with open_classroom(browser, server, "Lớp ghi hình", "Nguyễn Văn An", ("Trần Thị Bình",)) as opened:
        yield opened


def indicator_shown(page) -> bool:
    return page.locator("#recording-indicator").is_visible()


def test_the_lecturer_records_and_everyone_sees_it(classroom: Classroom, browser: Browser, server: ClassServer) -> None:
    lecturer, trainee = classroom.lecturer, classroom.trainees[0]
    assert not indicator_shown(trainee)
    lecturer.get_by_role("button", name="Ghi hình", exact=True).click()
    for page in (lecturer, trainee):
        wait_until(lambda p=page: indicator_shown(p), what="the recording indicator", describe=lambda p=page: dump(p))
    assert trainee.locator("#recording-indicator").inner_text().strip() == "Đang ghi hình"

    # A trainee about to join is told before joining.
    context, late = new_page(browser)
    try:
        late.goto(classroom.links["trainee"])
        wait_until(lambda: late.locator(".prejoin-recorded").is_visible(), what="the pre-join note", describe=lambda: dump(late))
        assert "đang được ghi hình" in late.locator(".prejoin-recorded").inner_text()
    finally:
        context.close()

    lecturer.get_by_role("button", name="Dừng ghi hình").click()
    for page in (lecturer, trainee):
        wait_until(lambda p=page: not indicator_shown(p), what="the indicator to go", describe=lambda p=page: dump(p))

    # The module's server records nothing else.
    (path,) = (server.data_dir / "recordings").glob("*/*/recording.json")
    manifest = json.loads(path.read_text())
    assert manifest["status"] == "complete" and manifest["lecturer"] == "Nguyễn Văn An"
    assert manifest["title"] == "Lớp ghi hình"
    assert {s["label"]["source"] for s in manifest["segments"]} >= {"camera", "microphone"}
