"""A module-end test in real Chromium, from a trainee's personal course link: answers are saved
as given, a reload mid-test shows the same paper with the answers kept, handing in shows the
score, and the lecturer's results read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.support.courses import make_course
from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, new_page, text

pytestmark = pytest.mark.browser

QUESTIONS = [
    {"kind": "single", "text": "Đảng Cộng sản Việt Nam được thành lập năm nào?", "options": ["1930", "1945", "1954"], "correct": [0]},
    {"kind": "true_false", "text": "Theo Hiến pháp năm 2013, Chủ tịch nước do Chính phủ bầu.", "correct": [1]},
    {"kind": "multiple", "text": "Cơ quan nào thuộc bộ máy nhà nước cấp tỉnh?", "options": ["Hội đồng nhân dân tỉnh", "Hội Nông dân tỉnh", "Ủy ban nhân dân tỉnh"], "correct": [0, 2]},
]


@pytest.fixture(scope="module")
def test_link(server: ClassServer) -> Iterator[tuple[str, str, str]]:
    """A course with a roster and a bank, an open test; the trainee's link, the test id, a lecturer token."""
    from classroom.db import open_database

    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    make_course(db, "k12", {"HV001": "Trần Thị Bình"})
    tokens = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(hours=2))
    lecturer = {"Authorization": f"Bearer {tokens.mint('k12', Role.LECTURER)[0]}"}
    ids = [httpx.post(f"{server.url}/api/courses/k12/questions", json=q, headers=lecturer).json()["id"] for q in QUESTIONS]
    now = datetime.now(UTC)
    created = httpx.post(f"{server.url}/api/courses/k12/tests", headers=lecturer, json={
        "title": "Kiểm tra kết thúc học phần Lý luận chính trị", "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat(), "time_limit_s": 900, "question_ids": ids,
    })
    assert created.status_code == 201, created.text
    token = tokens.mint("k12", Role.TRAINEE, external_id="HV001", name="Trần Thị Bình")[0]
    yield f"{server.url}/test?test={created.json()['id']}&lang=vi#t={token}", created.json()["id"], lecturer["Authorization"]


def question(page: Page, text_start: str) -> Any:
    return page.locator(".exam-question", has=page.locator("legend", has_text=text_start))


def test_a_reload_mid_test_keeps_the_answers_and_handing_in_scores(browser: Browser, server: ClassServer, test_link: tuple[str, str, str]) -> None:
    link, test_id, lecturer = test_link
    _, page = new_page(browser)
    page.goto(link)
    wait_until(lambda: page.locator(".exam-question").count() == 3, 30, "the paper", describe=lambda: dump(page) + server.log_tail())
    assert "Còn" in text(page, "#exam-clock")
    order = [page.locator(".exam-question legend").nth(i).inner_text() for i in range(3)]
    founded = question(page, "Đảng Cộng sản")
    founded.locator(".quiz-choice", has_text="1930").locator("input").check()
    wait_until(lambda: "Đã lưu" in founded.locator(".exam-status").inner_text(), 15, "the first answer saved", describe=lambda: dump(page))
    president = question(page, "Theo Hiến pháp")
    president.locator(".quiz-choice", has_text="Sai").locator("input").check()
    wait_until(lambda: "Đã lưu" in president.locator(".exam-status").inner_text(), 15, "the second answer saved", describe=lambda: dump(page))
    page.reload()
    wait_until(lambda: page.locator(".exam-question").count() == 3, 30, "the paper after the reload", describe=lambda: dump(page))
    assert [page.locator(".exam-question legend").nth(i).inner_text() for i in range(3)] == order
    assert question(page, "Đảng Cộng sản").locator(".quiz-choice", has_text="1930").locator("input").is_checked()
    assert question(page, "Theo Hiến pháp").locator(".quiz-choice", has_text="Sai").locator("input").is_checked()
    assert not question(page, "Cơ quan nào").locator("input:checked").count()
    page.click("[data-action=submit]")
    page.click("[data-action=submit]")  # the second press confirms
    wait_until(lambda: "67/100" in text(page, ".exam-result") or "66,7/100" in text(page, ".exam-result"), 15,
               "the score", describe=lambda: dump(page))
    assert page.locator(".exam-question[disabled]").count() == 3
    rows = httpx.get(f"{server.url}/api/courses/k12/tests/{test_id}/results", headers={"Authorization": lecturer}).json()
    assert rows[0]["external_id"] == "HV001" and rows[0]["score"] == 66.7 and rows[0]["answered"] == 2
