"""Recording by schedule in real Chromium against the real server: a class of a course that
records every class tells a trainee before joining, starts recording when the lecturer opens
it (the indicator and the schedule's notice), and the manifest says the schedule started it."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, text

pytestmark = pytest.mark.browser


def test_a_recorded_course_s_class_records_from_its_start(browser: Browser, server: ClassServer) -> None:
    course = server.api("POST", "/courses", {"title": "Khóa 12", "record_classes": True})
    made = server.create_class("Buổi ghi hình theo lịch")
    server.api("POST", f"/courses/{course['id']}/classes", {"class_ids": [made["id"]]})
    trainee_context, trainee = new_page(browser)
    lecturer_context, lecturer = new_page(browser)
    try:
        trainee.goto(made["links"]["trainee"])  # before anyone joins
        wait_until(lambda: trainee.locator(".prejoin-recorded").is_visible(), what="the pre-join note",
                   describe=lambda: dump(trainee))  # fmt: skip
        assert "ghi hình mọi buổi học" in text(trainee, ".prejoin-recorded")

        join(lecturer, made["links"]["lecturer"], "Nguyễn Văn An")
        wait_until(lambda: lecturer.locator("#recording-indicator").is_visible(), what="the recording indicator",
                   describe=lambda: dump(lecturer))  # fmt: skip
        wait_until(lambda: "ghi hình theo lịch của khóa học" in text(lecturer, "body"), what="the schedule's notice",
                   describe=lambda: dump(lecturer))  # fmt: skip
        (path,) = (server.data_dir / "recordings").glob(f"{made['id']}/*/recording.json")
        manifest = json.loads(path.read_text())
        assert (manifest["started_by"], manifest["lecturer"], manifest["course_id"]) == (
            "schedule", "Nguyễn Văn An", course["id"])  # fmt: skip

        join(trainee, made["links"]["trainee"], "Trần Thị Bình")
        wait_until(lambda: trainee.locator("#recording-indicator").is_visible(), what="the indicator for a trainee",
                   describe=lambda: dump(trainee))  # fmt: skip
        lecturer.get_by_role("button", name="Dừng ghi hình").click()  # the lecturer may stop it
        wait_until(lambda: not trainee.locator("#recording-indicator").is_visible(), what="the indicator to go",
                   describe=lambda: dump(trainee))  # fmt: skip
        assert json.loads(path.read_text())["stop_reason"] == "stopped"
    finally:
        trainee_context.close()
        lecturer_context.close()
