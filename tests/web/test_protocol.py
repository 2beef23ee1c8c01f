"""The protocol module's recovery, seen from the page: after a network drop or a server restart
the page says what happens, reconnects by itself, rejoins with the same client id (the server
replaces the stale seat) and gets its media back.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.wait import wait_until
from tests.web.support import Cable, ClassServer, dump, join, media, new_page, text, tile_names

pytestmark = pytest.mark.browser


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def open_page(browser: Browser, contexts: list[BrowserContext]) -> Page:
    context, page = new_page(browser)
    contexts.append(context)
    return page


def receiving(page: Page) -> bool:
    counters = media(page)
    return counters["framesDecoded"] > 0 and counters["audioPackets"] > 0


def fresh_frames(page: Page) -> bool:
    """Video decoded on the connections opened since the last reconnect."""
    return bool(
        page.evaluate(
            "window.__classbridgePcs.filter(pc => pc.connectionState !== 'closed').length"
        )
    ) and receiving(page)


def says(page: Page, selector: str, wanted: str, timeout: float = 30) -> None:
    wait_until(
        lambda: wanted in text(page, selector),
        timeout,
        f"{wanted!r} in {selector}",
        describe=lambda: dump(page),
    )


def record_notices(page: Page) -> None:
    """Remember every text the connection notice shows from now on: a notice that lasts one
    reconnect attempt may be gone by the time a loaded machine lets the test look."""
    page.evaluate(
        """() => {
            const seen = (window.__notices = []);
            const note = () => {
                const notice = document.querySelector('.notice[data-notice="connection"]');
                if (notice && seen[seen.length - 1] !== notice.innerText) seen.push(notice.innerText);
            };
            new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
        }"""
    )


def said(page: Page, wanted: str) -> None:
    wait_until(
        lambda: page.evaluate("w => window.__notices.some((t) => t.includes(w))", wanted),
        what=f"the notice {wanted!r}",
        describe=lambda: f"notices shown: {page.evaluate('window.__notices')}\n{dump(page)}",
    )


def test_the_page_reconnects_after_a_network_drop(
    browser: Browser, server: ClassServer, contexts: list[BrowserContext]
) -> None:
    links = server.create_class("Lớp mạng chập chờn")["links"]
    cable = Cable(server.port).plug()
    lecturer = open_page(browser, contexts)
    trainee = open_page(browser, contexts)
    try:
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        join(trainee, links["trainee"].replace(server.url, cable.url), "Trần Thị Bình")
        wait_until(lambda: receiving(trainee), what="media before the drop", describe=lambda: dump(trainee))
        first_client_id = trainee.evaluate("localStorage.getItem('classbridge.client_id')")

        cable.cut()
        says(trainee, '.notice[data-notice="connection"]', "Mất kết nối. Đang tự kết nối lại")
        assert text(trainee, "#connection-status") == "Đang kết nối lại…"
        time.sleep(1.5)  # the link stays down across a few attempts
        cable.plug()

        wait_until(
            lambda: text(trainee, "#connection-status") == "Đã kết nối",
            what="the rejoin",
            describe=lambda: dump(trainee) + "\n" + server.log_tail(),
        )
        assert "Đã kết nối lại với lớp học" in text(trainee, "#notices")
        assert trainee.locator(".classroom").is_visible()  # never left the class view
        wait_until(
            lambda: fresh_frames(trainee),
            what="the lecturer's media after the rejoin",
            describe=lambda: dump(trainee) + "\n" + server.log_tail(),
        )
        assert trainee.evaluate("localStorage.getItem('classbridge.client_id')") == first_client_id
        wait_until(
            lambda: tile_names(lecturer) == ["Trần Thị Bình"],
            what="one trainee tile on the lecturer's page",
            describe=lambda: dump(lecturer),
        )
    finally:
        cable.cut()


def test_the_page_rides_out_a_server_restart(
    browser: Browser, tmp_path: Path, contexts: list[BrowserContext]
) -> None:
    server = ClassServer(tmp_path / "data").start()
    try:
        links = server.create_class("Lớp máy chủ khởi động lại")["links"]
        lecturer = open_page(browser, contexts)
        trainee = open_page(browser, contexts)
        join(lecturer, links["lecturer"], "Nguyễn Văn An")
        join(trainee, links["trainee"], "Trần Thị Bình")
        wait_until(lambda: receiving(trainee), what="media before the restart", describe=lambda: dump(trainee))

        for page in (lecturer, trainee):
            record_notices(page)
        server.stop()  # a clean shutdown tells every page the server is going away
        for page in (lecturer, trainee):
            said(page, "Máy chủ đang khởi động lại")
        server.start()
        for page in (lecturer, trainee):
            says(page, "#connection-status", "Đã kết nối")
        wait_until(
            lambda: fresh_frames(trainee), what="the lecturer's media after the restart", describe=lambda: dump(trainee)
        )
        wait_until(
            lambda: tile_names(lecturer) == ["Trần Thị Bình"],
            what="the trainee back on the lecturer's page",
            describe=lambda: dump(lecturer),
        )
    finally:
        server.stop()


def test_a_busy_server_s_retry_hint_is_honoured_and_the_page_gets_in_afterwards(
    browser: Browser, tmp_path: Path, contexts: list[BrowserContext]
) -> None:
    """One join at a time and a busy database: the page's join waits its 0.3 s in line, is
    answered `server_busy` with a retry hint, waits at least that long (not the 0.5 s of its
    first backoff step), and joins once the database is free."""
    server = ClassServer(
        tmp_path / "data",
        env={
            "CLASSBRIDGE_SIGNALING__MAX_JOINS_IN_PROGRESS": "1",
            "CLASSBRIDGE_SIGNALING__MAX_JOIN_WAIT_S": "0.3",
        },
    ).start()
    database = None
    try:
        created = server.create_class("Lớp đông người")
        token = created["links"]["trainee"].split("#t=")[1]
        page = open_page(browser, contexts)
        page.goto(f"{server.url}/static/i18n/vi.json")  # the server's origin
        database = sqlite3.connect(tmp_path / "data" / "classbridge.db", isolation_level=None)
        database.execute("BEGIN EXCLUSIVE")  # every join waits for its attendance row
        ws = server.url.replace("http", "ws") + f"/ws/{created['id']}"
        page.evaluate(
            """async ([url, token]) => {
                const m = await import('/static/js/protocol.js');
                const seen = (window.__seen = {statuses: [], errors: []});
                const connect = (name, clientId) => {
                    const c = new m.ClassConnection({url, token, name, clientId});
                    c.onstatus = (status, detail) => seen.statuses.push({name, status, ...detail});
                    c.onerror = (error) => seen.errors.push({name, ...error});
                    c.connect();
                };
                connect('Người thứ nhất', 'first');   // takes the one slot, waits for the database
                setTimeout(() => connect('Người thứ hai', 'second'), 300);  // waits in line
            }""",
            [ws, token],
        )
        seen = lambda: page.evaluate("window.__seen")  # noqa: E731
        busy = wait_until(
            lambda: [e for e in seen()["errors"] if e["code"] == "server_busy"],
            what="a server_busy answer",
            describe=lambda: f"{seen()}\n{server.log_tail()}",
        )
        assert busy[0]["name"] == "Người thứ hai" and busy[0]["fatal"] and busy[0]["retry_after_s"] >= 1
        retry = next(s for s in seen()["statuses"] if s["name"] == "Người thứ hai" and s["status"] == "reconnecting")
        assert retry["reason"] == "server_busy" and retry["delayMs"] >= busy[0]["retry_after_s"] * 1000
        database.execute("COMMIT")
        wait_until(
            lambda: {s["name"] for s in seen()["statuses"] if s["status"] == "joined"} == {"Người thứ nhất", "Người thứ hai"},
            what="both pages in class once the database is free",
            describe=lambda: f"{seen()}\n{server.log_tail()}",
        )
    finally:
        if database is not None:
            database.close()
        server.stop()
