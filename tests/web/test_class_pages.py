"""A class in real Chromium: a lecturer and two trainees join through their links.

One class for the whole module (joining takes seconds); the tests run in file order and each
leaves the class as it found it: everyone in, sharing off, video on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.support.wait import wait_until
from tests.web.support import ClassServer, Classroom, dump, join, media, new_page, open_classroom, tile_names

pytestmark = pytest.mark.browser

LECTURER = "Nguyễn Văn An"
TRAINEES = ("Trần Thị Bình", "Lê Văn Cường")


@pytest.fixture(scope="module")
def classroom(browser: Browser, server: ClassServer) -> Iterator[Classroom]:
    with open_classroom(browser, server, "Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12", LECTURER, TRAINEES) as opened:
        yield opened


def decodes_video(page: Page) -> bool:
    counters = media(page)
    return counters["framesDecoded"] > 0 and counters["audioPackets"] > 0


@pytest.mark.parametrize("index", [0, 1])
def test_each_trainee_decodes_the_lecturers_video_and_plays_audio(
    classroom: Classroom, index: int
) -> None:
    trainee = classroom.trainees[index]
    wait_until(
        lambda: decodes_video(trainee),
        20,
        "lecturer media on a trainee page",
        describe=lambda: dump(trainee),
    )
    main = trainee.locator(".stage-main .tile")
    assert main.locator(".tile-name").inner_text() == LECTURER
    video = main.locator("video")
    playing = "v => v.readyState >= 2 && !v.paused && v.videoWidth > 0"
    wait_until(lambda: video.evaluate(playing), 10, "the lecturer's video playing")
    kinds = video.evaluate("v => v.srcObject.getTracks().map(t => t.kind).sort()")
    assert kinds == ["audio", "video"]  # the lecturer's voice plays from the same element
    assert not trainee.page_errors()


def test_the_lecturer_sees_both_trainees(classroom: Classroom) -> None:
    lecturer = classroom.lecturer
    wait_until(
        lambda: tile_names(lecturer) == sorted(TRAINEES),
        15,
        "both trainee tiles",
        describe=lambda: dump(lecturer),
    )

    def both_decoding() -> bool:
        tracks = media(lecturer)["tracks"].values()
        return sum(1 for t in tracks if t["kind"] == "video" and t["frames"] > 0) == 2

    wait_until(both_decoding, 20, "video from both trainees")
    assert lecturer.locator("#people-count").inner_text().endswith("3")


def test_screen_share_reaches_trainees_and_stops(classroom: Classroom) -> None:
    lecturer = classroom.lecturer
    lecturer.click("[data-control=share]")
    lecturer.wait_for_selector(".sharing-banner:not([hidden])")
    for trainee in classroom.trainees:
        sees_the_slides(trainee)
    lecturer.click("[data-control=share]")
    for trainee in classroom.trainees:
        slides_gone(trainee)


def slides_gone(trainee: Page) -> None:
    screen = trainee.locator('[data-tile$=":screen"]')
    wait_until(lambda: screen.count() == 0, 15, "the screen tile to go away")
    assert trainee.locator(".stage-main .tile .tile-name").inner_text() == LECTURER


def sees_the_slides(trainee: Page) -> None:
    screen = trainee.locator('.stage-main .tile[data-tile$=":screen"] video')
    wait_until(
        lambda: screen.count() == 1,
        15,
        "the shared screen on the stage",
        describe=lambda: dump(trainee),
    )

    def screen_frames() -> int:
        track_id = screen.evaluate("v => v.srcObject && v.srcObject.getVideoTracks()[0]?.id")
        stats = media(trainee)["tracks"].get(track_id, {})
        return int(stats.get("frames", 0))

    wait_until(screen_frames, 15, "decoded frames of the shared screen")
    # The lecturer's camera moves beside the slides.
    assert trainee.locator(".stage-side .tile .tile-name").all_inner_texts() == [LECTURER]


def test_audio_only_stops_video_but_keeps_audio(classroom: Classroom) -> None:
    trainee = classroom.trainees[1]
    wait_until(lambda: decodes_video(trainee), 20, "video before switching")
    trainee.click("[data-control=audioOnly]")
    trainee.wait_for_selector(".audio-only-note:not([hidden])")

    def video_stopped() -> bool:
        before = media(trainee)["videoPackets"]
        time.sleep(0.5)
        return media(trainee)["videoPackets"] == before

    wait_until(video_stopped, 15, "video packets to stop arriving")
    start = media(trainee)
    time.sleep(2)
    end = media(trainee)
    assert end["videoPackets"] == start["videoPackets"], (start, end)
    assert end["audioPackets"] > start["audioPackets"] + 20, (start, end)  # 50 packets/s of Opus

    trainee.click("[data-control=audioOnly]")
    trainee.wait_for_selector(".audio-only-note", state="hidden")
    resumed = media(trainee)["framesDecoded"]
    wait_until(
        lambda: media(trainee)["framesDecoded"] > resumed + 10,
        15,
        "video again after leaving audio-only mode",
    )


def test_the_room_camera_shows_beside_the_lecturer(browser: Browser, classroom: Classroom) -> None:
    context, room = new_page(browser)
    try:
        join(room, classroom.links["room"], "Phòng học A2")
        for trainee in classroom.trainees:
            room_tiles(trainee, 1)
            side = trainee.locator(".stage-side .tile")
            assert side.locator(".tile-name").inner_text() == "Camera phòng học"
            assert trainee.locator(".stage-main .tile-name").inner_text() == LECTURER
            assert side.locator("video").evaluate("v => v.videoWidth > 0")
        names = classroom.lecturer.locator(".grid .tile .tile-name")
        wait_until(lambda: "Camera phòng học" in names.all_inner_texts(), 15, "the room on the grid")
        buttons = room.locator(".toolbar button")
        controls = buttons.evaluate_all("bs => bs.map((b) => b.dataset.control)")
        assert controls == ["mic", "camera", "share", "leave"]  # shares, cannot end the class
    finally:
        context.close()
    for trainee in classroom.trainees:
        room_tiles(trainee, 0)  # gone when the room leaves


def room_tiles(trainee: Page, count: int) -> None:
    playing = trainee.locator(".stage-side .tile video")
    script = "vs => vs.filter((v) => v.videoWidth > 0).length"
    wait_until(
        lambda: playing.evaluate_all(script) == count,
        15,
        f"{count} room tile(s)",
        describe=lambda: dump(trainee),
    )


def test_muting_shows_on_the_lecturers_tile(classroom: Classroom) -> None:
    trainee, lecturer = classroom.trainees[0], classroom.lecturer
    badge = lecturer.locator(f'.grid .tile:has(.tile-name:text-is("{TRAINEES[0]}")) .badge-mic')
    trainee.click("[data-control=mic]")
    wait_until(lambda: badge.is_visible(), 10, "the muted badge on the lecturer's page")
    assert trainee.locator("[data-control=mic] .label").inner_text() == "Bật micrô"
    trainee.click("[data-control=mic]")
    wait_until(lambda: not badge.is_visible(), 10, "the badge to go when unmuted")


def test_a_reload_rejoins_the_class(classroom: Classroom) -> None:
    trainee, lecturer = classroom.trainees[0], classroom.lecturer
    trainee.reload()
    trainee.wait_for_selector(".classroom", timeout=20_000)  # straight back in, no pre-join
    wait_until(
        lambda: decodes_video(trainee),
        20,
        "lecturer media after the reload",
        describe=lambda: dump(trainee),
    )
    # The server replaced the stale seat: still exactly two trainees, both sending video.
    wait_until(
        lambda: tile_names(lecturer) == sorted(TRAINEES), 15, "two trainee tiles after the reload"
    )

    def both_decoding() -> bool:
        tiles = lecturer.locator(".grid .tile video")
        return tiles.count() == 2 and all(
            tiles.nth(i).evaluate("v => v.readyState >= 2 && v.videoWidth > 0") for i in range(2)
        )

    wait_until(both_decoding, 20, "both trainees' video on the lecturer's page")
