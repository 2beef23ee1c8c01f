"""The lecturer's room controls in the class page, against `classbridge serve` and its
simulated example room: positions, the PTZ pad and lecturer scenes reach the room's devices
(read back through the room API); which of them the page offers is the server's lecturer
list; trainees and rooms that are not the class's get nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from signaling.auth.room_access import LECTURER_ACTIONS
from tests.support.wait import wait_until
from tests.web.support import ADMIN_TOKEN, ClassServer, join, new_page

pytestmark = pytest.mark.browser
ROOM = "/api/rooms/room-101"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClassServer]:
    root: Path = tmp_path_factory.mktemp("panel")
    server = ClassServer(root / "data").start()
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    wait_until(lambda: httpx.get(f"{server.url}/api/rooms", headers=admin).status_code == 200, 30, "the rooms")
    yield server
    server.stop()


def camera(server: ClassServer) -> dict[str, Any]:
    found: dict[str, Any] = server.api("GET", "/rooms/room-101/devices/camera")
    return found


def audit_log(server: ClassServer) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = server.api("GET", "/audit")
    return entries


def lecturer_page(
    browser: Browser, server: ClassServer, room: str | None, actions: list[str] | None = None
) -> tuple[Any, Page, str]:
    """A lecturer in a new class; `actions` answers the lecturer list in the server's place."""
    created = server.api("POST", "/classes", {"title": "Lớp có phòng", **({"room": room} if room else {})})
    context, page = new_page(browser)
    if actions is not None:
        context.route("**/api/lecturer-actions", lambda route: serve(route, actions))
    join(page, created["links"]["lecturer"], name="TS. Lan")
    return context, page, created["id"]


def serve(route: Route, actions: list[str]) -> None:
    route.fulfill(json=actions)


def test_the_lecturer_drives_their_room(browser: Browser, server: ClassServer) -> None:
    context, page, class_id = lecturer_page(browser, server, "room-101")
    try:
        panel = page.locator(".room-panel")
        expect(panel).to_be_visible(timeout=10000)
        expect(panel.locator("[data-position]")).to_have_count(3)
        scenes = [b.get_attribute("data-scene") for b in panel.locator("[data-scene]").all()]
        assert scenes == ["start", "presentation", "discussion"]  # "end" is for technicians
        panel.locator("[data-position='whiteboard']").click()
        wait_until(lambda: (camera(server)["position"] or {}).get("pan") == -600, 10, "the camera at the whiteboard")
        right = panel.locator("[data-action='ptz-right']")
        right.hover()
        page.mouse.down()
        wait_until(lambda: camera(server)["position"]["pan"] > -500, 10, "the camera panning right")
        page.mouse.up()
        wait_until(lambda: any(e["action"] == "stop" for e in audit_log(server)), 10, "the release stopping the camera")
        panel.locator("[data-scene='discussion']").click()
        expect(panel.locator(".room-run")).to_have_attribute("data-state", "succeeded", timeout=10000)
        expect(panel.locator(".room-run li[data-state='ok']")).to_have_count(2)
        panel.locator("[data-scene='presentation']").click()  # the projector is off: its step fails
        expect(panel.locator(".room-run")).to_have_attribute("data-state", "partial", timeout=10000)
        # in the page's words, from the step's code (the device's English stays in the tooltip)
        failed = panel.locator(".room-run li[data-state='failed']")
        expect(failed).to_have_text(re.compile(r"^Máy chiếu: chọn nguồn vào digital2: Thiết bị .+\.$"))
        expect(failed).to_have_attribute("title", re.compile("projector is off"))
        audit = audit_log(server)
        # a shared lecturer link names no person: the audit names the class
        assert {(e["actor_kind"], e["actor_name"], e["actor_class"], e["target"]) for e in audit} >= {
            ("lecturer", "", class_id, "whiteboard"),
            ("lecturer", "", class_id, "discussion"),
        }
    finally:
        context.close()


def test_the_panel_offers_what_the_servers_list_allows(browser: Browser, server: ClassServer) -> None:
    served = httpx.get(f"{server.url}/api/lecturer-actions")  # no credential needed
    assert served.status_code == 200 and served.json() == sorted(LECTURER_ACTIONS)
    context, page, _ = lecturer_page(browser, server, "room-101", actions=["scene", "view"])
    try:
        panel = page.locator(".room-panel")
        expect(panel).to_be_visible(timeout=10000)
        expect(panel.locator("[data-scene]")).to_have_count(3)
        expect(panel.locator("[data-position]")).to_have_count(0)  # not in the list served
        expect(panel.locator(".ptz")).to_have_count(0)
        assert "null" not in panel.inner_text()
    finally:
        context.close()
    context, page, _ = lecturer_page(browser, server, "room-101", actions=["move", "position", "stop", "view", "zoom"])
    try:
        panel = page.locator(".room-panel")
        expect(panel.locator("[data-position]")).to_have_count(3, timeout=10000)
        expect(panel.locator(".ptz")).to_have_count(1)
        expect(panel.locator("[data-scene]")).to_have_count(0)
    finally:
        context.close()


def test_no_room_controls_without_a_room(browser: Browser, server: ClassServer) -> None:
    context, page, _ = lecturer_page(browser, server, None)
    try:
        page.wait_for_timeout(1500)  # the room feed has answered by now
        assert page.locator(".room-panel:visible").count() == 0
    finally:
        context.close()
    created = server.api("POST", "/classes", {"title": "Lớp", "room": "room-101"})
    context, page = new_page(browser)
    try:
        join(page, created["links"]["trainee"], name="Học viên A")
        page.wait_for_timeout(1000)
        assert page.locator(".room-panel").count() == 0
    finally:
        context.close()
