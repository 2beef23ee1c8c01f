"""The course page in Chromium: a trainee opens their personal course link, sees the course's
classes and joins one; the join link the page opens carries their id and name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import Browser
from playwright.sync_api import Error as PlaywrightError

from tests.support.wait import wait_until
from tests.web.support import ADMIN_TOKEN, ClassServer, dump, new_page


def test_a_course_link_opens_the_course_and_joins_a_class(browser: Browser, server: ClassServer) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    course = server.api("POST", "/courses", {"title": "Bồi dưỡng kiến thức quốc phòng – Khóa 12"})
    done = httpx.put(f"{server.url}/api/courses/{course['id']}/roster", timeout=10,
                     content="mã học viên,họ và tên\nHV001,Nguyễn Thị Hồng Nhung\n".encode(),
                     headers={**admin, "Content-Type": "text/csv"})  # fmt: skip
    assert done.status_code == 200, done.text
    first = server.create_class("Buổi 1: Đường lối quốc phòng")
    ended = server.create_class("Buổi 0: Khai giảng")
    server.api("POST", f"/courses/{course['id']}/classes", {"class_ids": [ended["id"], first["id"]]})
    server.end_class(ended["id"])
    link = server.api("POST", f"/courses/{course['id']}/links")[0]["link"]
    assert "/course#t=" in link

    context, page = new_page(browser)
    try:
        page.goto(link)
        button = page.locator(f"button[data-class-id='{first['id']}']")
        wait_until(lambda: button.count() == 1 and button.is_enabled(), 30, "the join button",
                   describe=lambda: dump(page) + server.log_tail())  # fmt: skip
        text = page.inner_text("#course")
        assert "Bồi dưỡng kiến thức quốc phòng – Khóa 12" in text
        assert "Xin chào Nguyễn Thị Hồng Nhung" in text and "Đã kết thúc" in text
        assert page.locator(f"button[data-class-id='{ended['id']}']").is_disabled()
        button.click()
        try:
            page.wait_for_url(re.compile(r"/join#t="), timeout=30_000)
        except PlaywrightError:
            raise AssertionError(f"the join page did not open: {dump(page)}{server.log_tail()}") from None
        token = page.url.split("#t=", 1)[1]
        preview = httpx.get(f"{server.url}/api/join-preview", timeout=10,
                            headers={"Authorization": f"Bearer {token}"}).json()  # fmt: skip
        assert (preview["class"]["id"], preview["role"], preview["name"]) == (
            first["id"], "trainee", "Nguyễn Thị Hồng Nhung"
        )
        page.goto(link.replace("#t=", "#t=x"))
        wait_until(lambda: "không còn dùng được" in page.inner_text("#course"), 30, "the refusal",
                   describe=lambda: dump(page))  # fmt: skip
    finally:
        context.close()


def test_the_course_page_words_exist_in_both_languages() -> None:
    static = Path(__file__).parents[2] / "web" / "static"
    vi, en = (json.loads((static / "course" / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
              for lang in ("vi", "en"))  # fmt: skip
    assert set(vi) == set(en)
    source = (static / "course" / "course.js").read_text() + (static / "course.html").read_text()
    used = set(re.findall(r"""["'`](course\.[a-z_]+)["'`]""", source))
    used |= {f"course.status_{s}" for s in ("created", "live", "ended")}  # built from the status
    assert used <= set(vi), used - set(vi)
    assert all(text.strip() for text in [*vi.values(), *en.values()])
