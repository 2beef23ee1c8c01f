"""The room words (web/static/shared/room_words.js) in Chromium, in Vietnamese: every kind of
actor, log entry and failure the server sends is worded, by the glossary's terms, with names
kept as data and positions and scenes by their titles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.console.conftest import ConsoleServer

pytestmark = pytest.mark.browser

ROOM = {
    "name": "room-101",
    "title": "Phòng 101",
    "devices": [{"name": "display", "role": "led-wall"}, {"name": "cam-2", "role": None}],
    "positions": [{"name": "lectern", "title": "Bục giảng", "camera": "camera"}],
    "scenes": [{"name": "start", "title": "Bắt đầu buổi học"}],
}

WORDS = """
async ([room, cases]) => {
  const words = await import("/static/shared/room_words.js");
  return cases.map(([fn, ...args]) => {
    const out = words[fn](...args.map((a) => (a === "ROOM" ? room : a)));
    return typeof out === "string" ? out : [out.target, out.action, out.error, out.words];
  });
}
"""


@pytest.fixture(scope="module")
def page(browser: Browser, console_server: ConsoleServer) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.goto(f"{console_server.url}/console")  # Vietnamese: nobody chose otherwise
    page.wait_for_function("document.documentElement.lang === 'vi' && !!document.querySelector('form.login')")
    yield page
    context.close()


def words(page: Page, *cases: list[Any]) -> list[Any]:
    result: list[Any] = page.evaluate(WORDS, [ROOM, [list(c) for c in cases]])
    return result


def test_who_acted(page: Page) -> None:
    assert words(
        page,
        ["actorText", {"kind": "admin", "name": "admin"}],
        ["actorText", {"kind": "controller", "name": ""}],
        ["actorText", {"kind": "controller", "name": "supervision"}],  # an entry from before
        ["actorText", {"kind": "technician", "name": "Anh Tuấn"}],
        ["actorText", {"kind": "lecturer", "name": "", "class_id": "k12"}],
        ["actorText", {"kind": "schedule", "name": "", "class_id": "k12"}],
        ["actorText", {"kind": "schedule", "name": ""}],
        ["ownerText", "scene", "Bắt đầu buổi học"],
    ) == [
        "Quản trị viên",
        "Hệ thống giám sát",
        "Hệ thống giám sát",
        "Kỹ thuật viên Anh Tuấn",
        "Giảng viên (lớp k12)",
        "Lịch tự động (lớp k12)",
        "Lịch tự động",
        "kịch bản “Bắt đầu buổi học”",
    ]


def test_log_entries(page: Page) -> None:
    entry = {"target": "display", "action": "x", "error": ""}
    assert words(
        page,
        ["entryWords", {**entry, "event": "command", "args": {"do": "input", "input": "hdmi2"}}, "ROOM"],
        ["entryWords", {**entry, "event": "command", "args": {"do": "preset_recall", "preset": 3}, "target": "cam-2"}, "ROOM"],
        ["entryWords", {**entry, "event": "command", "args": {"do": "mute", "muted": True, "channel": 2}, "error": "device_timeout"}, "ROOM"],
        ["entryWords", {**entry, "event": "position", "args": {"position": "lectern", "camera": "camera"}, "target": "lectern"}, "ROOM"],
        ["entryWords", {**entry, "event": "scene", "args": {"scene": "start", "ok": 7, "total": 8, "failed": 1}, "target": "start"}, "ROOM"],
        ["entryWords", {**entry, "event": "link", "args": {"state": "offline"}}, "ROOM"],
        ["entryWords", {**entry, "event": "reapply", "args": {"do": "mute", "muted": True, "was": False, "owner_kind": "admin", "owner_name": "admin"}}, "ROOM"],
        ["entryWords", {**entry, "event": None, "action": "input hdmi1"}, "ROOM"],  # an audit row from before
    ) == [
        ["Màn hình LED", "chọn nguồn vào hdmi2", "", True],
        ["cam-2", "chuyển đến vị trí cài sẵn số 3", "", True],
        ["Màn hình LED", "tắt tiếng kênh 2", "Thiết bị không trả lời kịp.", True],
        ["Bục giảng", "chuyển camera đến “Bục giảng”", "", True],
        ["Bắt đầu buổi học", "chạy kịch bản, xong 7/8 bước", "", True],
        ["Màn hình LED", "kết nối: Mất kết nối", "", True],
        ["Màn hình LED", "đặt lại: tắt tiếng (thiết bị đã chuyển sang bật tiếng; Quản trị viên giữ giá trị này)", "", True],
        ["display", "input hdmi1", "", False],
    ]


def test_steps_and_failures(page: Page) -> None:
    step = {"index": 0, "label": "x", "state": "failed", "detail": ""}
    assert words(
        page,
        ["stepLabel", {**step, "do": "power", "args": {"device": "display", "power": True}}, "ROOM"],
        ["stepLabel", {**step, "do": "wait", "args": {"seconds": 2.5}}, "ROOM"],
        ["stepLabel", {**step, "do": "wait_ready", "args": {"device": "cam-2"}}, "ROOM"],
        ["stepLabel", {**step, "do": "position", "args": {"position": "lectern"}}, "ROOM"],
        ["errorText", "unsupported"],
        ["errorText", "position_not_found"],
        ["errorText", "teapot"],
    ) == [
        "Màn hình LED: bật nguồn",
        "chờ 2,5 giây",
        "cam-2: chờ sẵn sàng",
        "chuyển camera đến “Bục giảng”",
        "Thiết bị không có chức năng này.",
        "Không có vị trí này.",
        "Lỗi (teapot).",
    ]


def test_e_lecture_entries(page: Page) -> None:
    entry = {"target": "Buổi 1", "action": "x", "error": ""}
    args = {"title": "Buổi 1", "course": "K12", "recording": "c1/r1"}
    assert words(
        page,
        ["actorText", {"kind": "system", "name": ""}],
        ["entryWords", {**entry, "event": "lecture_deleted", "args": {**args, "reason": "deleted"}}, None],
        ["entryWords", {**entry, "event": "lecture_deleted", "args": {**args, "reason": "retention", "days": 30}}, None],
        ["entryWords", {**entry, "event": "lecture_uploaded", "args": args}, None],
    ) == [
        "Hệ thống",
        ["Buổi 1", "xóa bài giảng điện tử", "", True],
        ["Buổi 1", "xóa bài giảng điện tử (quá 30 ngày lưu trữ của khóa học)", "", True],
        ["Buổi 1", "tải lên bài giảng điện tử", "", True],
    ]
