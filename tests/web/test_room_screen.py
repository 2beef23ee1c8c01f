"""The room's screen page and in-room check-in, in real Chromium against a real server:

- a trainee on a phone-sized page (390×844) checks in with the PIN the room's screen shows,
  and the lecturer's people list shows them;
- the LED-wall page at 1920×1080 with a class running: the lecturer's shared screen large,
  the trainee holding the floor large beside it, the other trainee in the strip, the QR code
  and the PIN. With CLASSBRIDGE_SCREENSHOTS=docs/screenshots the pages are photographed there
  (room-screen-vi.png, room-screen-idle-en.png, checkin-phone-vi.png).
"""

from __future__ import annotations

import asyncio
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from classroom.checkin.models import CheckInRecord
from classroom.db import open_database
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.support.checkin import enrol
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, media, new_page, text

pytestmark = pytest.mark.browser

ROOM = "room-101"
SHOTS = os.environ.get("CLASSBRIDGE_SCREENSHOTS")  # docs/screenshots/ to refresh them
LECTURER = "TS. Nguyễn Văn An"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServer]:
    root: Path = tmp_path_factory.mktemp("screen")
    server = ClassServer(root / "data").start()
    yield server
    server.stop()


def database(server: ClassServer) -> Any:
    return open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")


def lesson(server: ClassServer, title: str) -> dict[str, Any]:
    """A class on now in the room, with the course roster of tests/support/checkin.py."""
    now = datetime.now(UTC)
    created: dict[str, Any] = server.api(
        "POST",
        "/classes",
        {"title": title, "room": ROOM, "starts_at": (now - timedelta(minutes=2)).isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat(), "allow_overlap": True},
    )
    enrol(database(server), created["id"])
    return created


def open_wall(browser: Browser, server: ClassServer) -> Page:
    key = server.api("POST", f"/rooms/{ROOM}/keys", {"label": "LED wall"})["key"]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = context.new_page()
    wall.goto(f"{server.url}/room/{ROOM}/screen#k={key}")
    return wall


def end(server: ClassServer, created: dict[str, Any]) -> None:
    server.end_class(created["id"])


def test_a_trainee_checks_in_from_a_phone_with_the_pin_on_the_room_screen(browser: Browser, server: ClassServer) -> None:
    created = lesson(server, "Kỹ năng lãnh đạo – điểm danh")
    wall = open_wall(browser, server)
    pin = wall.locator("#checkin-pin[data-pin]")
    wait_until(lambda: pin.count() == 1, 30, "the PIN on the room screen", describe=lambda: dump(wall))
    shown = str(pin.get_attribute("data-pin"))
    assert text(wall, "#checkin-pin").replace(" ", "") == shown and len(shown) == 6
    assert wall.locator("#checkin-qr").evaluate("img => img.naturalWidth > 0")

    _, lecturer = new_page(browser)
    join(lecturer, created["links"]["lecturer"], LECTURER)
    lecturer.get_by_role("button", name="Người tham gia").click()

    phone_context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=2)
    phone = phone_context.new_page()
    phone.goto(f"{server.url}/checkin")
    phone.wait_for_selector("body[data-ready=true] #pin")
    # A wrong PIN first: refused in Vietnamese, nothing recorded.
    wrong = str((int(shown) + 1) % 10**6).zfill(6)
    phone.fill("#pin", wrong)
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.get_by_role("alert").filter(has_text="Mã không đúng hoặc đã hết hạn").wait_for(timeout=10_000)
    # The PIN from the wall, as a trainee types it.
    phone.fill("#pin", shown[:3] + " " + shown[3:])
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.wait_for_selector("#name-step:not([hidden])")
    assert text(phone, "#class-line") == "Kỹ năng lãnh đạo – điểm danh"
    phone.fill("#who", "nguyen van")
    match = phone.locator("#matches button", has_text="Nguyễn Văn An")
    match.wait_for(timeout=10_000)
    box = match.bounding_box()
    assert box is not None and box["height"] >= 56 and box["width"] >= 300  # a thumb hits it
    match.click()
    phone.get_by_role("button", name="Đúng, điểm danh cho tôi").click()
    phone.wait_for_selector("#done-step:not([hidden])")
    assert "Đã điểm danh: Nguyễn Văn An" in text(phone, "#done-title")
    assert re.fullmatch(r"Lúc .*\d{1,2}:\d{2}.*", text(phone, "#done-when")), text(phone, "#done-when")
    if SHOTS:
        phone.screenshot(path=str(Path(SHOTS) / "checkin-phone-vi.png"))

    with database(server)() as session:
        rows = session.scalars(select(CheckInRecord).where(CheckInRecord.class_id == created["id"])).all()
    assert [(r.external_id, r.checked_out_at) for r in rows] == [("HV-001", None)]
    # The lecturer sees it in the people list; the wall counts it.
    listed = lecturer.locator(".checkin-list .person", has_text="Nguyễn Văn An")
    wait_until(lambda: listed.count() == 1, 15, "the check-in in the lecturer's people list", describe=lambda: dump(lecturer))
    assert "Điểm danh tại phòng: 1 người" in text(lecturer, ".room-checkins h3")
    wait_until(lambda: "1 người" in text(wall, "#checkin-count"), 15, "the wall's count", describe=lambda: dump(wall))
    # The same phone cannot check in a second person.
    phone.reload()
    phone.wait_for_selector("body[data-ready=true] #pin")
    phone.fill("#pin", str(wall.locator("#checkin-pin").get_attribute("data-pin")))
    phone.get_by_role("button", name="Tiếp tục").click()
    phone.wait_for_selector("#done-step:not([hidden])")  # it remembers whom it checked in
    phone.get_by_role("button", name="Rời phòng").click()
    phone.wait_for_selector("#out-step:not([hidden])")
    wait_until(lambda: lecturer.locator(".checkin-list .checked-out").count() == 1, 15, "the check-out shown")
    phone_context.close()
    lecturer.context.close()
    wall.context.close()
    end(server, created)


def test_the_led_wall_shows_slides_the_floor_the_strip_and_the_checkin_code(browser: Browser, server: ClassServer) -> None:
    created = lesson(server, "Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12")
    links = created["links"]
    _, lecturer = new_page(browser)
    join(lecturer, links["lecturer"], LECTURER)
    trainees = []
    for name in ("Trần Thị Bình", "Lê Văn Cường"):
        _, page = new_page(browser)
        join(page, links["trainee"], name)
        trainees.append(page)
    wall = open_wall(browser, server)
    wall.wait_for_selector("#live:not([hidden])", timeout=30_000)
    lecturer.click("[data-control=share]")
    trainees[0].get_by_role("button", name="Giơ tay").click()
    queue = lecturer.locator(".hand-queue .hand-item")
    wait_until(lambda: queue.count() == 1, 15, "the raised hand")
    queue.first.get_by_role("button", name="Cho phát biểu").click()

    def playing(selector: str) -> bool:
        videos = wall.locator(selector)
        return videos.count() == 1 and bool(videos.evaluate("v => v.videoWidth > 0 && !v.paused"))

    describe = lambda: dump(wall)  # noqa: E731
    wait_until(lambda: playing('#main-stage .tile-screen video'), 30, "the slides large on the wall", describe=describe)
    wait_until(lambda: playing('#side-stage .tile video'), 30, "the floor holder beside them", describe=describe)
    wait_until(lambda: playing('#strip .tile video'), 30, "the other trainee in the strip", describe=describe)
    assert text(wall, "#side-stage .tile-name") == "Trần Thị Bình"
    assert text(wall, "#strip .tile-name") == "Lê Văn Cường"
    assert text(wall, "#class-title") == "Bồi dưỡng kỹ năng lãnh đạo, quản lý – Khóa 12"
    wall.wait_for_selector("#checkin:not([hidden]) #checkin-pin[data-pin]")
    wall.wait_for_timeout(800)  # a few more frames: the screenshot is looked at by eye
    if SHOTS:
        wall.screenshot(path=str(Path(SHOTS) / "room-screen-vi.png"))
    # Seen from the back of the hall: the slides take most of the wall; type is large.
    main = wall.locator("#main-stage").bounding_box()
    side = wall.locator("#side-stage").bounding_box()
    assert main is not None and side is not None
    assert main["width"] * main["height"] > 0.4 * 1920 * 1080 and side["height"] > 300
    assert wall.locator("#checkin-pin").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 70
    assert wall.locator("#class-title").evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 40
    assert wall.evaluate("document.body.dataset.agent") == "false"  # no agent: the wall plays the sound
    # The class ends: the wall goes back to its idle screen by itself.
    end(server, created)
    wall.wait_for_selector("#idle:not([hidden])", timeout=40_000)
    for page in (lecturer, *trainees, wall):
        page.context.close()


def test_the_wall_says_when_its_key_is_refused(browser: Browser, server: ClassServer) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = context.new_page()
    wall.goto(f"{server.url}/room/{ROOM}/screen#k=rk_nothing_here")
    wall.wait_for_selector("#problem:not([hidden])", timeout=20_000)
    assert "Khóa phòng không hợp lệ" in text(wall, "#problem-text")
    assert "#k=" not in wall.url  # the key does not stay in the address bar
    context.close()


@contextmanager
def room_agent(server: ClassServer, room_key: str) -> Iterator[None]:
    """A stand-in for the room agent's signaling: it asks /now with the room key, joins the class
    with the room token it gets and announces itself (`agent`), in a thread of its own."""
    now = httpx.get(f"{server.url}/api/rooms/{ROOM}/now", headers={"Authorization": f"Bearer {room_key}"}, timeout=10).json()
    token = now["class"]["join_token"]
    joined, leave = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    async def run() -> None:
        channel = await WebSocketChannel.connect(f"ws://127.0.0.1:{server.port}/ws/{now['class']['id']}")
        client = ClassClient(channel)
        try:
            await client.join(token, name="Phòng 101 – agent", agent=True)
            joined.set()
            while not leave.is_set():
                await asyncio.sleep(0.05)
        finally:
            await client.close()

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as error:  # reported by the test below
            failure.append(error)
            joined.set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert joined.wait(30) and not failure, failure
    try:
        yield
    finally:
        leave.set()
        thread.join(20)


def test_a_lecturer_in_the_room_plays_no_class_sound_and_the_wall_leaves_sound_to_the_agent(
    browser: Browser, server: ClassServer
) -> None:
    created = lesson(server, "Lớp có giảng viên trong phòng")
    links = created["links"]
    # A trainee's pre-join has no such choice; the lecturer's has, for a class with a room.
    trainee_context, trainee = new_page(browser)
    trainee.goto(links["trainee"])
    trainee.wait_for_selector(".prejoin-class-title:text('Lớp có giảng viên trong phòng')")
    assert trainee.locator(".in-room").is_hidden()
    lecturer_context, lecturer = new_page(browser)
    lecturer.goto(links["lecturer"])
    box = lecturer.get_by_label("Tôi đang ở trong phòng học")
    box.wait_for(timeout=20_000)
    assert not box.is_checked()
    box.check()
    if lecturer.locator("#name").count():
        lecturer.fill("#name", LECTURER)
    lecturer.click(".btn-join")
    lecturer.wait_for_selector(".classroom")
    trainee.fill("#name", "Trần Thị Bình")
    trainee.click(".btn-join")
    trainee.wait_for_selector(".classroom")
    # The trainee hears nothing of the lecturer (no microphone sent) but sees them.
    wait_until(lambda: media(trainee)["framesDecoded"] > 30, 30, "the lecturer's camera at the trainee", describe=lambda: dump(trainee))
    assert media(trainee)["audioPackets"] == 0
    # The lecturer's page receives the trainee's sound and plays none of it.
    wait_until(lambda: media(lecturer)["audioPackets"] > 0, 30, "the trainee's sound arriving at the lecturer's page")
    remote = lecturer.locator(".tile:not(.tile-local) video")
    assert remote.count() >= 1 and all(remote.nth(i).evaluate("v => v.muted") for i in range(remote.count()))
    assert lecturer.locator("[data-control=mic]").is_disabled()
    # Remembered for the next class.
    again = lecturer_context.new_page()
    again.goto(links["lecturer"])
    remembered = again.get_by_label("Tôi đang ở trong phòng học")
    remembered.wait_for(timeout=20_000)
    assert remembered.is_checked()
    again.close()

    # The wall plays the class's sound itself, until an agent announces itself.
    key = server.api("POST", f"/rooms/{ROOM}/keys", {"label": "LED wall"})["key"]
    wall_context = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = wall_context.new_page()
    wall.goto(f"{server.url}/room/{ROOM}/screen#k={key}")
    strip = wall.locator("#strip .tile video")
    wait_until(lambda: strip.count() == 1, 30, "the trainee on the wall", describe=lambda: dump(wall))
    assert wall.evaluate("document.body.dataset.agent") == "false" and not strip.evaluate("v => v.muted")
    with room_agent(server, key):
        wait_until(lambda: wall.evaluate("document.body.dataset.agent") == "true", 20, "the wall to see the agent")
        assert strip.evaluate("v => v.muted")
    wait_until(lambda: wall.evaluate("document.body.dataset.agent") == "false", 20, "the agent gone")
    wait_until(lambda: not strip.evaluate("v => v.muted"), 10, "the wall's sound back")
    for context in (trainee_context, lecturer_context, wall_context):
        context.close()
    end(server, created)


def test_between_classes_the_wall_shows_the_clock_and_the_next_class(browser: Browser, server: ClassServer) -> None:
    later = datetime.now(UTC) + timedelta(days=3)
    server.api(
        "POST",
        "/classes",
        {"title": "Quản lý nhà nước – Khóa 13", "room": ROOM, "starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=2)).isoformat(), "allow_overlap": True},
    )
    key = server.api("POST", f"/rooms/{ROOM}/keys", {"label": "LED wall"})["key"]
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    wall = context.new_page()
    wall.goto(f"{server.url}/room/{ROOM}/screen?lang=en#k={key}")
    wall.wait_for_selector("#idle-next:not([hidden])", timeout=30_000)
    assert text(wall, "#idle-next").startswith("Next class: Quản lý nhà nước – Khóa 13 – ")
    assert text(wall, ".idle-none") == "No class in this room right now"
    assert re.fullmatch(r"\d{2}:\d{2}", text(wall, "#idle-clock"))
    assert wall.locator("#live").is_hidden()
    if SHOTS:
        wall.screenshot(path=str(Path(SHOTS) / "room-screen-idle-en.png"))
    context.close()


def test_the_checkin_page_speaks_english_too(browser: Browser, server: ClassServer) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(f"{server.url}/checkin?lang=en")
    phone.wait_for_selector("body[data-ready=true] #pin")
    assert text(phone, "h1") == "Check in to the room"
    phone.fill("#pin", "12")
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("alert").filter(has_text="The code is exactly 6 digits").wait_for(timeout=10_000)
    phone.fill("#pin", "000000")  # no class is on now: any code is wrong
    phone.get_by_role("button", name="Continue").click()
    phone.get_by_role("alert").filter(has_text="Wrong or expired code").wait_for(timeout=10_000)
    visible = str(phone.evaluate("document.querySelector('main').innerText"))  # the language menu names Tiếng Việt
    assert not re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", visible, re.IGNORECASE), visible
    context.close()
