"""Every state that stops a user ends as a clear message in the page's language, never a blank
page: bad or expired links, ended classes, a blocked camera, plain http, no WebRTC, leaving,
and being replaced by another window.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from classroom.roles import Role
from signaling.auth.keys import Keyring
from signaling.auth.tokens import TokenService
from tests.web.support import INSECURE_HOST, ClassServer, dump, join, launch, new_page, with_lang

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context, page = new_page(browser)
    yield page
    context.close()


def card(page: Page, state: str) -> str:
    """The text of the full-page card for `state` (fails with the page's text if absent)."""
    locator = page.locator(f'.card[data-state="{state}"]')
    try:
        locator.wait_for(timeout=15_000)
    except PlaywrightTimeout:
        raise AssertionError(f"no {state} card: {dump(page)}") from None
    return locator.inner_text()


def test_a_link_without_a_token_is_invalid(page: Page, server: ClassServer) -> None:
    page.goto(f"{server.url}/join")
    assert "Đường dẫn không hợp lệ" in card(page, "link_invalid")


def test_a_mangled_token_is_invalid_in_english_too(page: Page, server: ClassServer) -> None:
    page.goto(f"{server.url}/join?lang=en#t=not.a-token.at-all")
    text = card(page, "link_invalid")
    assert "This link is not valid" in text
    assert "ask the class organiser for a new one" in text


def test_an_expired_link_is_caught_before_connecting(page: Page, server: ClassServer) -> None:
    link = server.create_class("Lớp hết hạn")["links"]["trainee"]
    page.clock.set_fixed_time(datetime.now(UTC) + timedelta(days=8))  # links last 7 days
    page.goto(link)
    text = card(page, "link_expired")
    assert "Đường dẫn đã hết hạn" in text
    assert "hết hạn lúc" in text


def test_the_servers_token_expired_is_explained(page: Page, server: ClassServer) -> None:
    """The page's clock is wrong (thinks the link is fresh); the server's verdict is shown."""
    class_id = server.create_class("Lớp có đồng hồ sai")["id"]
    issued = datetime.now(UTC) - timedelta(days=3)
    tokens = TokenService(Keyring.open(server.data_dir), timedelta(hours=1), clock=issued.timestamp)
    token = tokens.issue(class_id, Role.TRAINEE, name="Phạm Thị Dung")
    page.clock.set_fixed_time(issued + timedelta(minutes=5))
    page.goto(with_lang(f"{server.url}/join#t={token}", "en"))
    page.click(".btn-join")
    text = card(page, "error_token_expired")
    assert "This link has expired" in text
    assert "The invitation link has expired" in text


def test_joining_an_ended_class_says_it_has_ended(page: Page, server: ClassServer) -> None:
    created = server.create_class("Lớp đã xong")
    server.end_class(created["id"])
    page.goto(created["links"]["trainee"])
    page.fill("#name", "Hoàng Văn Em")
    page.click(".btn-join")
    assert "Lớp học đã kết thúc" in card(page, "class_ended")


def test_the_lecturer_ends_the_class_for_everyone(browser: Browser, server: ClassServer) -> None:
    links = server.create_class("Lớp kết thúc giữa chừng")["links"]
    lecturer_context, lecturer = new_page(browser)
    trainee_context, trainee = new_page(browser)
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        join(trainee, links["trainee"], "Trần Thị Bình")
        lecturer.click("[data-control=end]")
        dialog = lecturer.locator("dialog[open]")
        assert "Kết thúc lớp học cho mọi người?" in dialog.inner_text()
        dialog.locator("button[value=confirm]").click()
        assert "Bạn đã kết thúc lớp học cho mọi người" in card(lecturer, "class_ended")
        assert "Cảm ơn bạn đã tham gia" in card(trainee, "class_ended")
    finally:
        lecturer_context.close()
        trainee_context.close()


def test_leaving_offers_to_rejoin(page: Page, server: ClassServer) -> None:
    links = server.create_class("Lớp rời đi")["links"]
    join(page, links["trainee"], "Vũ Thị Giang")
    page.click("[data-control=leave]")
    assert "Bạn đã rời lớp" in card(page, "left")
    page.click(".card button")  # Vào lại lớp
    page.wait_for_selector(".classroom", timeout=20_000)


def test_joining_elsewhere_replaces_this_window(browser: Browser, server: ClassServer) -> None:
    class_id = server.create_class("Lớp một người hai máy")["id"]
    link = server.link(class_id, "trainee", external_id="HV-2024-0153", name="Đặng Văn Hùng")
    first_context, first = new_page(browser)
    second_context, second = new_page(browser)
    try:
        join(first, link)
        join(second, link)
        text = card(first, "error_replaced")
        assert "từ một cửa sổ hoặc thiết bị khác" in text
        assert second.locator(".classroom").is_visible()
    finally:
        first_context.close()
        second_context.close()


def test_a_blocked_camera_is_explained_and_the_class_still_open(
    playwright: Playwright, server: ClassServer
) -> None:
    links = server.create_class("Lớp không có quyền camera")["links"]
    browser = launch(playwright, fake_ui=False)  # no automatic grant: the permission is denied
    try:
        context, page = new_page(browser, permissions=[])
        page.goto(links["trainee"])
        problem = page.locator('.problem[data-problem="denied"]')
        problem.wait_for(timeout=15_000)
        assert "Trình duyệt đang chặn camera và micrô" in problem.inner_text()
        page.fill("#name", "Bùi Thị Lan")
        problem.locator("button", has_text="Vào lớp, chỉ xem và nghe").click()
        page.wait_for_selector(".classroom", timeout=20_000)
        assert page.locator("[data-control=mic]").is_disabled()
        assert page.locator("[data-control=camera]").is_disabled()
        context.close()
    finally:
        browser.close()


def test_plain_http_from_another_machine_explains_https(page: Page, server: ClassServer) -> None:
    link = server.create_class("Lớp qua http")["links"]["trainee"]
    page.goto(link.replace("127.0.0.1", INSECURE_HOST))
    problem = page.locator('.problem[data-problem="insecure"]')
    problem.wait_for(timeout=15_000)
    text = problem.inner_text()
    assert "Trang này cần kết nối an toàn (https)" in text
    assert f"http://{INSECURE_HOST}:{server.port}" in text
    assert page.locator(".preview").count() == 0  # no capture was attempted
    page.fill("#name", "Lý Văn Minh")
    page.click(".btn-join")  # watching and listening still works over http
    page.wait_for_selector(".classroom", timeout=20_000)


def test_a_browser_without_webrtc_is_told_so(browser: Browser, server: ClassServer) -> None:
    link = server.create_class("Lớp trình duyệt cũ")["links"]["trainee"]
    context = browser.new_context()
    context.add_init_script("delete window.RTCPeerConnection;")
    page = context.new_page()
    try:
        page.goto(with_lang(link, "en"))
        assert "This browser cannot join live classes" in card(page, "webrtc_unsupported")
    finally:
        context.close()
