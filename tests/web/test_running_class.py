"""Running a class in real Chromium (issue 12): a lecturer and two trainees chat both ways, a
trainee raises a hand and is given the floor (the other trainee then decodes their video and
hears them, until the floor is taken back), the lecturer mutes a trainee (the server stops
forwarding that audio), reactions, and an observer shown as one.

One class for the module (joining takes seconds); the tests run in file order, each leaves
the class as it found it (no hand up, nobody holding the floor, nobody muted).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.support.wait import wait_until
from tests.web.support import ClassServer, Classroom, dump, join, new_page, open_classroom

pytestmark = pytest.mark.browser

LECTURER = "Nguyễn Văn An"
TRAINEES = ("Trần Thị Bình", "Lê Văn Cường")
STILL_S = 2.0  # how long a counter must stay put to count as stopped (packets come every 20 ms)

# The ids of the tracks one tile plays (a remote person's camera and microphone).
TILE_TRACKS = """
(name) => {
  const tile = [...document.querySelectorAll(".tile:not(.tile-local)")].find(
    (t) => t.querySelector(".tile-name")?.textContent === name);
  const stream = tile?.querySelector("video")?.srcObject;
  return stream ? stream.getTracks().map((t) => t.id) : null;
}
"""

# Inbound counters of these received tracks, over the page's peer connections.
TRACK_COUNTERS = """
async (ids) => {
  const wanted = new Set(ids);
  const out = { audio: 0, frames: 0 };
  for (const pc of window.__classbridgePcs || []) {
    if (pc.connectionState === "closed") continue;
    for (const receiver of pc.getReceivers()) {
      if (!wanted.has(receiver.track.id)) continue;
      (await receiver.getStats()).forEach((s) => {
        if (s.type !== "inbound-rtp") return;
        if (s.kind === "audio") out.audio += s.packetsReceived || 0;
        else out.frames += s.framesDecoded || 0;
      });
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def classroom(browser: Browser, server: ClassServer) -> Iterator[Classroom]:
    with open_classroom(browser, server, "Bồi dưỡng kỹ năng lãnh đạo – Khóa 12", LECTURER, TRAINEES) as opened:
        yield opened


def tile(page: Page, name: str) -> Any:
    return page.locator(".tile:not(.tile-local)").filter(
        has=page.locator(".tile-name", has_text=name)
    )


def tile_tracks(page: Page, name: str) -> list[str] | None:
    """The tracks the tile of this person plays, None without such a tile."""
    ids = page.evaluate(TILE_TRACKS, name)
    return list(ids) if ids is not None else None


def counters(page: Page, ids: list[str]) -> dict[str, int]:
    return dict(page.evaluate(TRACK_COUNTERS, ids))


def increasing(page: Page, name: str, key: str) -> bool:
    """The counter of the tracks on this person's tile goes up between two samples."""
    ids = tile_tracks(page, name) or []
    before = counters(page, ids)[key]
    time.sleep(0.5)
    return bool(ids) and counters(page, ids)[key] > before


def stays_put(read: Any, seconds: float = STILL_S) -> bool:
    before = read()
    time.sleep(seconds)
    return bool(read() == before)


# ---- chat ---------------------------------------------------------------------------------------


def open_chat(page: Page) -> None:
    if page.locator(".panel-chat").is_hidden():
        page.get_by_role("button", name="Trò chuyện").click()
    page.wait_for_selector(".panel-chat:not([hidden])")


def say(page: Page, text: str) -> None:
    page.fill("#chat-input", text)
    page.get_by_role("button", name="Gửi", exact=True).click()


def lines(page: Page) -> list[str]:
    return page.locator(".panel-chat .chat-text").all_inner_texts()


def test_chat_both_ways_in_vietnamese(classroom: Classroom) -> None:
    lecturer, (a, b) = classroom.lecturer, classroom.trainees
    open_chat(lecturer)
    say(lecturer, "Chào cả lớp! Tài liệu ở https://example.invalid/tai-lieu")
    badge = a.locator("[data-control=chat] .count-badge")
    wait_until(lambda: badge.is_visible() and badge.inner_text() == "1", 10, "the unread badge", describe=lambda: dump(a))
    chat_button = a.get_by_role("button", name="Trò chuyện", exact=True)  # the count is not in the name
    assert chat_button.get_attribute("title") == "1 tin nhắn chưa đọc"
    open_chat(a)
    assert badge.is_hidden()
    line = a.locator(".chat-line").last
    assert line.locator(".chat-sender").inner_text() == LECTURER
    assert line.locator(".chat-role").inner_text() == "Giảng viên"
    assert line.locator(".chat-time").inner_text().count(":") == 2
    assert line.locator(".chat-text").inner_text() == "Chào cả lớp! Tài liệu ở https://example.invalid/tai-lieu"
    assert a.locator(".panel-chat a").count() == 0  # a link is text, never fetched or previewed

    say(a, "Dạ, em chào thầy ạ. Em đã tải được tài liệu.")
    wait_until(lambda: "Dạ, em chào thầy ạ. Em đã tải được tài liệu." in lines(lecturer), 10, "the trainee's line at the lecturer")
    assert lecturer.locator(".chat-line").last.locator(".chat-role").inner_text() == "Học viên"

    # Privately to trainee A: B never sees it.
    lecturer.select_option("#chat-to", label=TRAINEES[0])
    say(lecturer, "Bình ơi, em phát biểu đầu tiên nhé.")
    wait_until(lambda: "Bình ơi, em phát biểu đầu tiên nhé." in lines(a), 10, "the private line")
    assert a.locator(".chat-line.private .chat-private").inner_text() == f"riêng cho {TRAINEES[0]}"
    open_chat(b)
    wait_until(lambda: "Dạ, em chào thầy ạ. Em đã tải được tài liệu." in lines(b), 10, "the history at B")
    assert "Bình ơi, em phát biểu đầu tiên nhé." not in lines(b)
    lecturer.select_option("#chat-to", value="")


def test_the_lecturer_turns_trainee_chat_off_and_on(classroom: Classroom) -> None:
    lecturer, b = classroom.lecturer, classroom.trainees[1]
    open_chat(lecturer)
    open_chat(b)
    allow = lecturer.get_by_label("Cho học viên trò chuyện")
    allow.uncheck()
    b.wait_for_selector(".chat-off:not([hidden])")
    assert b.locator("#chat-input").is_disabled()
    assert b.locator(".chat-off").inner_text() == "Giảng viên đã tắt trò chuyện của học viên."
    allow.check()
    b.wait_for_selector(".chat-off", state="hidden")
    assert b.locator("#chat-input").is_enabled()


def test_chat_floods_are_refused_with_a_translated_message(classroom: Classroom) -> None:
    b = classroom.trainees[1]
    open_chat(b)
    for n in range(7):
        say(b, f"Tin nhắn thử số {n}")
    toast = b.locator(".notice", has_text="Bạn thao tác quá nhanh")
    toast.first.wait_for(timeout=10_000)
    time.sleep(2.5)  # the chat bucket refills (one line every 2 s) before the next test


# ---- hands and the floor ------------------------------------------------------------------------


def test_a_raised_hand_waits_in_order_and_is_given_the_floor(classroom: Classroom) -> None:
    lecturer, (a, b) = classroom.lecturer, classroom.trainees
    a.get_by_role("button", name="Giơ tay").click()
    a.get_by_role("button", name="Hạ tay").wait_for()
    b.get_by_role("button", name="Giơ tay").click()
    queue = lecturer.locator(".hand-queue .hand-item")
    wait_until(lambda: queue.count() == 2, 10, "two hands in the queue", describe=lambda: dump(lecturer))
    assert queue.nth(0).locator(".person-name").inner_text() == TRAINEES[0]  # first raised first
    assert queue.nth(1).locator(".person-name").inner_text() == TRAINEES[1]
    waited = queue.nth(0).locator(".hand-waited")
    first = waited.inner_text()
    assert first.startswith("đã chờ 0:0")
    wait_until(lambda: waited.inner_text() != first, 5, "the waited time to tick")
    assert "Đang giơ tay (1)" in tile(lecturer, TRAINEES[0]).inner_text()

    # B lowers their own hand; the lecturer gives A the floor from the queue.
    b.get_by_role("button", name="Hạ tay").click()
    wait_until(lambda: queue.count() == 1, 10, "B's hand down")
    queue.nth(0).get_by_role("button", name="Cho phát biểu").click()
    wait_until(lambda: queue.count() == 0, 10, "A's hand lowered by the floor")

    # B now decodes A's video and receives A's audio, and shows A large.
    wait_until(lambda: tile_tracks(b, TRAINEES[0]) is not None, 15, "A's tile at B", describe=lambda: dump(b))
    assert b.locator(".stage-main .tile .tile-name").inner_text() == TRAINEES[0]
    wait_until(lambda: len(tile_tracks(b, TRAINEES[0]) or []) == 2, 15, "A's camera and microphone at B")
    a_tracks = tile_tracks(b, TRAINEES[0]) or []
    wait_until(lambda: increasing(b, TRAINEES[0], "frames"), 20, "A's video decoded at B", describe=lambda: str(counters(b, a_tracks)))
    wait_until(lambda: increasing(b, TRAINEES[0], "audio"), 20, "A's audio at B", describe=lambda: str(counters(b, a_tracks)))
    # Large on the lecturer's page too, and A is told.
    lecturer.wait_for_selector(".stage-floor .tile.tile-floor")
    assert lecturer.locator(".stage-floor .tile-name").inner_text() == TRAINEES[0]
    a.wait_for_selector(".floor-banner:not([hidden])")

    # The lecturer takes it back from A's tile: B stops receiving A.
    tile(lecturer, TRAINEES[0]).get_by_role("button", name="Thu lại quyền phát biểu").click()
    wait_until(lambda: tile_tracks(b, TRAINEES[0]) is None, 15, "A's tile gone at B", describe=lambda: dump(b))
    wait_until(lambda: stays_put(lambda: counters(b, a_tracks)), 15, "A's media stopped at B", describe=lambda: str(counters(b, a_tracks)))
    a.wait_for_selector(".floor-banner", state="hidden")
    assert lecturer.locator(".stage-floor .tile").count() == 0


def test_the_trainee_hands_the_floor_back(classroom: Classroom) -> None:
    lecturer, (a, b) = classroom.lecturer, classroom.trainees
    tile(lecturer, TRAINEES[1]).get_by_role("button", name="Cho phát biểu").click()
    b.wait_for_selector(".floor-banner:not([hidden])")
    wait_until(lambda: tile_tracks(a, TRAINEES[1]) is not None, 15, "B's tile at A")
    b.get_by_role("button", name="Trả lại quyền phát biểu").click()
    b.wait_for_selector(".floor-banner", state="hidden")
    wait_until(lambda: tile_tracks(a, TRAINEES[1]) is None, 15, "B's tile gone at A")


# ---- moderation ---------------------------------------------------------------------------------


def test_a_muted_trainees_audio_is_no_longer_forwarded(classroom: Classroom) -> None:
    lecturer, a = classroom.lecturer, classroom.trainees[0]
    wait_until(lambda: increasing(lecturer, TRAINEES[0], "audio"), 15, "A's audio at the lecturer")
    a_tracks = tile_tracks(lecturer, TRAINEES[0]) or []
    tile(lecturer, TRAINEES[0]).get_by_role("button", name="Tắt micrô").click()
    banner = a.locator('.notice[data-notice="blocked-microphone"]')
    banner.wait_for(timeout=10_000)
    assert "Bạn có thể tự bật lại" in banner.inner_text()
    wait_until(lambda: stays_put(lambda: counters(lecturer, a_tracks)["audio"]), 15, "A's audio stopped at the lecturer")
    assert "Giảng viên đã tắt micrô" in tile(lecturer, TRAINEES[0]).inner_text()

    # Allowed to unmute: A turns the microphone back on and the lecturer hears A again.
    mic = a.locator("[data-control=mic]")
    assert mic.is_enabled()
    mic.click()
    wait_until(lambda: increasing(lecturer, TRAINEES[0], "audio"), 15, "A's audio again", describe=lambda: dump(lecturer))
    banner.wait_for(state="detached", timeout=5_000)


def test_a_mute_without_leave_to_unmute_disables_the_button_until_allowed(classroom: Classroom) -> None:
    lecturer, a = classroom.lecturer, classroom.trainees[0]
    people = lecturer.get_by_role("button", name="Người tham gia")
    people.click()
    lecturer.get_by_label("Cho phép tự bật lại micrô").uncheck()
    row = lecturer.locator(".present-list .person", has_text=TRAINEES[0])
    row.get_by_role("button", name="Tắt micrô").click()
    mic = a.locator("[data-control=mic]")
    wait_until(lambda: mic.is_disabled(), 10, "A's microphone button disabled", describe=lambda: dump(a))
    assert "chỉ bật lại được khi giảng viên cho phép" in a.locator('.notice[data-notice="blocked-microphone"]').inner_text()
    row.get_by_role("button", name="Cho bật micrô").click()
    wait_until(lambda: mic.is_enabled(), 10, "A's microphone button enabled again")
    a.locator(".notice", has_text="Giảng viên đã cho phép bạn bật micrô").first.wait_for()
    mic.click()  # A unmutes
    wait_until(lambda: increasing(lecturer, TRAINEES[0], "audio"), 15, "A's audio again")
    lecturer.get_by_label("Cho phép tự bật lại micrô").check()
    people.click()


def test_reactions_show_on_the_senders_tile(classroom: Classroom) -> None:
    lecturer, b = classroom.lecturer, classroom.trainees[1]
    b.get_by_role("button", name="Bày tỏ cảm xúc").click()
    b.get_by_role("button", name="Vỗ tay").click()
    shown = tile(lecturer, TRAINEES[1]).locator(".tile-reaction")
    shown.wait_for(timeout=10_000)
    assert shown.inner_text() == "👏"
    assert shown.get_attribute("aria-label") == "Vỗ tay"
    shown.wait_for(state="hidden", timeout=10_000)  # shown briefly


def test_an_observer_is_listed_as_an_observer(classroom: Classroom, browser: Browser) -> None:
    lecturer = classroom.lecturer
    context, observer = new_page(browser)
    try:
        join(observer, classroom.links["observer"], "Thanh tra Phạm Văn Đức")
        lecturer.get_by_role("button", name="Người tham gia").click()
        row = lecturer.locator('.present-list .person[data-role="observer"]')
        row.wait_for(timeout=10_000)
        assert row.locator(".person-name").inner_text() == "Thanh tra Phạm Văn Đức"
        assert row.locator(".person-role").inner_text() == "Quan sát viên"
        names = lecturer.locator(".present-list .person-name").all_inner_texts()
        assert sorted(names) == sorted([*TRAINEES, "Thanh tra Phạm Văn Đức"])
        lecturer.get_by_role("button", name="Người tham gia").click()
    finally:
        context.close()


def test_a_trainee_with_the_floor_may_share_a_screen_when_allowed(classroom: Classroom) -> None:
    lecturer, b = classroom.lecturer, classroom.trainees[1]
    share = b.locator("[data-control=share]")
    assert share.is_hidden()  # trainees do not share a screen by default
    people = lecturer.get_by_role("button", name="Người tham gia")
    people.click()
    lecturer.get_by_label("Học viên đang phát biểu được chia sẻ màn hình").check()
    tile(lecturer, TRAINEES[1]).get_by_role("button", name="Cho phát biểu").click()
    share.wait_for(timeout=10_000)
    share.click()
    screen = lecturer.locator('.tile[data-tile$=":screen"] video')
    wait_until(lambda: screen.count() == 1 and screen.evaluate("v => v.videoWidth > 0"), 20, "B's screen at the lecturer", describe=lambda: dump(lecturer))
    # The floor taken back: the screen stops and the button goes away.
    tile(lecturer, TRAINEES[1]).get_by_role("button", name="Thu lại quyền phát biểu").click()
    wait_until(lambda: screen.count() == 0, 15, "B's screen gone")
    share.wait_for(state="hidden", timeout=10_000)
    assert b.locator(".sharing-banner").is_hidden()
    lecturer.get_by_label("Học viên đang phát biểu được chia sẻ màn hình").uncheck()
    people.click()


def test_the_floor_is_large_on_the_rooms_page(classroom: Classroom, browser: Browser) -> None:
    lecturer, a = classroom.lecturer, classroom.trainees[0]
    context, room = new_page(browser)
    try:
        join(room, classroom.links["room"], "Phòng 101")
        tile(lecturer, TRAINEES[0]).get_by_role("button", name="Cho phát biểu").click()
        floor = room.locator(".stage-floor .tile.tile-floor")
        floor.wait_for(timeout=15_000)
        assert floor.locator(".tile-name").inner_text() == TRAINEES[0]
        assert "Đang phát biểu" in floor.inner_text()
        assert room.locator(".tile-actions:not([hidden])").count() == 0  # the room moderates nobody
        tile(lecturer, TRAINEES[0]).get_by_role("button", name="Thu lại quyền phát biểu").click()
        floor.wait_for(state="detached", timeout=15_000)
        assert tile(room, TRAINEES[0]).count() == 1  # back among the trainees
        a.wait_for_selector(".floor-banner", state="hidden")
    finally:
        context.close()
