"""A module-end test in real Chromium, from a trainee's personal course link: answers are saved
as given, a reload mid-test shows the same paper with the answers kept, handing in shows the
score, and the lecturer's results read it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
SHOTS = os.environ.get("CLASSBRIDGE_SCREENSHOTS")  # docs/screenshots/ to refresh the screenshot

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
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "module-test-trainee-vi.png"), full_page=True)
    page.click("[data-action=submit]")
    page.click("[data-action=submit]")  # the second press confirms
    wait_until(lambda: "67/100" in text(page, ".exam-result") or "66,7/100" in text(page, ".exam-result"), 15,
               "the score", describe=lambda: dump(page))
    assert page.locator(".exam-question[disabled]").count() == 3
    rows = httpx.get(f"{server.url}/api/courses/k12/tests/{test_id}/results", headers={"Authorization": lecturer}).json()
    assert rows[0]["external_id"] == "HV001" and rows[0]["score"] == 66.7 and rows[0]["answered"] == 2


def test_the_lecturer_page_lists_the_bank_the_results_and_grades_a_short_answer(
    browser: Browser, server: ClassServer, test_link: tuple[str, str, str]
) -> None:
    link, test_id, lecturer = test_link
    headers = {"Authorization": lecturer}
    short = httpx.post(f"{server.url}/api/courses/k12/questions", headers=headers,
                       json={"kind": "short", "text": "Nêu phương châm công tác dân vận.", "accepted": ["Dân biết, dân bàn, dân làm, dân kiểm tra"]}).json()["id"]
    now = datetime.now(UTC)
    second = httpx.post(f"{server.url}/api/courses/k12/tests", headers=headers, json={
        "title": "Kiểm tra tự luận ngắn", "opens_at": (now - timedelta(minutes=1)).isoformat(),
        "closes_at": (now + timedelta(hours=1)).isoformat(), "time_limit_s": 600, "question_ids": [short]}).json()["id"]
    trainee = {"Authorization": "Bearer " + link.split("#t=", 1)[1]}
    httpx.post(f"{server.url}/api/courses/k12/tests/{second}/attempt", headers=trainee).raise_for_status()
    httpx.put(f"{server.url}/api/courses/k12/tests/{second}/attempt/answers/0", headers=trainee,
              json={"text": "Dân biết, dân bàn, dân làm, dân kiểm tra, dân giám sát, dân thụ hưởng"}).raise_for_status()
    httpx.post(f"{server.url}/api/courses/k12/tests/{second}/attempt/submit", headers=trainee).raise_for_status()

    _, page = new_page(browser)
    page.goto(f"{server.url}/assessment?lang=vi#t={lecturer.split(' ', 1)[1]}")
    wait_until(lambda: page.locator(".bank-table tbody tr").count() == 4, 30, "the bank", describe=lambda: dump(page) + server.log_tail())
    assert "Ngân hàng câu hỏi (4 câu)" in text(page, ".assessment-bank h2")
    assert "Trả lời ngắn" in text(page, ".bank-table")
    page.click(f"[data-test='{test_id}']")
    wait_until(lambda: "66,7" in text(page, ".results-table"), 15, "Bình's score", describe=lambda: dump(page))
    assert "1,00" in text(page, ".items-table") or "1.00" in text(page, ".items-table")
    page.click(f"[data-test='{second}']")
    wait_until(lambda: page.locator(".grading-item").count() == 1, 15, "the short answer to grade", describe=lambda: dump(page))
    assert "dân thụ hưởng" in text(page, ".grading-item blockquote")
    page.click(".grading-item [data-mark='1']")
    wait_until(lambda: page.locator(".grading-item").count() == 0 and "100" in text(page, ".results-table"), 15,
               "the graded score", describe=lambda: dump(page))
    scores = httpx.get(f"{server.url}/api/courses/k12/scores", headers=headers).json()
    assert scores == {"HV001": 83.3}  # (66.7 + 100) / 2: the completion rule's score
