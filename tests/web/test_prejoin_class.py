"""The pre-join page tells what one is joining (issue 12): the class's title and planned
time from GET /api/join-preview, "join with microphone off" and "join with camera off" (on by
default for trainees of a full class), and a room link that asks for no name.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, with_lang

pytestmark = pytest.mark.browser

TITLE = "Bồi dưỡng kỹ năng lãnh đạo – Khóa 12, buổi 3"
ROOM = "room-101"
ROOM_TITLE = "Phòng 101 – Hội trường A"  # config/rooms.example.yaml, the server's default room


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServer]:
    """A server where every trainee joins muted by default (a "full" class from 1 person)."""
    root: Path = tmp_path_factory.mktemp("server")
    server = ClassServer(root / "data", env={"CLASSBRIDGE_SIGNALING__JOIN_MUTED_FROM": "1"}).start()
    yield server
    server.stop()


def create(server: ClassServer, day: int) -> dict[str, str]:
    """A class in the room on 2030-03-`day` (one room holds one class at a time)."""
    created = server.api(
        "POST",
        "/classes",
        {"title": TITLE, "room": ROOM, "starts_at": f"2030-03-{day:02}T08:00:00+07:00", "ends_at": f"2030-03-{day:02}T11:30:00+07:00"},
    )
    return dict(created["links"])


def test_the_class_title_time_and_the_muted_start(browser: Browser, server: ClassServer) -> None:
    links = create(server, 10)
    lecturer_context, lecturer = new_page(browser, timezone_id="Asia/Ho_Chi_Minh")
    trainee_context, trainee = new_page(browser, timezone_id="Asia/Ho_Chi_Minh")
    try:
        lecturer.goto(links["lecturer"])
        lecturer.locator(".prejoin-class-title").wait_for(timeout=10_000)
        assert lecturer.locator(".prejoin-class-title").inner_text() == TITLE
        planned = lecturer.locator(".prejoin-time").inner_text()
        assert planned.startswith("Lịch học: từ") and "08:00" in planned and "11:30" in planned, planned
        assert not lecturer.get_by_label("Vào lớp với micrô tắt").is_checked()  # not for a lecturer
        join(lecturer, links["lecturer"], "Nguyễn Văn An")

        # One person in: the next trainee starts muted unless they choose otherwise.
        trainee.goto(with_lang(links["trainee"], "en"))
        mic_off = trainee.get_by_label("Join with microphone off")
        wait_until(mic_off.is_checked, 10, "the muted start from the server", describe=lambda: dump(trainee))
        assert trainee.get_by_label("Join with camera off").is_checked()
        trainee.get_by_label("Join with camera off").uncheck()
        join(trainee, with_lang(links["trainee"], "en"), "Tran Thi Binh")
        assert trainee.locator("[data-control=mic]").inner_text() == "Unmute"
        assert trainee.locator("[data-control=camera]").inner_text() == "Turn camera off"
        trainee.get_by_role("button", name="Raise hand", exact=True).click()
        trainee.get_by_role("button", name="Lower hand", exact=True).wait_for(timeout=10_000)
        assert trainee.get_by_role("button", name="Chat", exact=True).is_visible()
        badge = lecturer.locator(".grid .tile .badge-mic")
        wait_until(badge.is_visible, 15, "the muted badge at the lecturer", describe=lambda: dump(lecturer))
    finally:
        lecturer_context.close()
        trainee_context.close()


def test_the_room_link_asks_no_name(browser: Browser, server: ClassServer) -> None:
    links = create(server, 11)
    lecturer_context, lecturer = new_page(browser)
    room_context, room = new_page(browser)
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        room.goto(links["room"])
        wait_until(lambda: room.locator(".name-fixed").inner_text() == ROOM_TITLE, 10, "the room's title", describe=lambda: dump(room))
        assert room.locator("#name").count() == 0
        join(room, links["room"])
        lecturer.get_by_role("button", name="Người tham gia").click()
        row = lecturer.locator('.present-list .person[data-role="room"]')
        row.wait_for(timeout=15_000)
        assert row.locator(".person-name").inner_text() == ROOM_TITLE
    finally:
        lecturer_context.close()
        room_context.close()
