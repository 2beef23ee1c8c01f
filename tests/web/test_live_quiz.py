"""A live quiz in real Chromium: the lecturer launches a question from the class page, two
trainees answer on their own (shuffled) papers, one reloads mid-quiz and keeps their answer,
the lecturer sees both scores live and releases them; in a second quiz an answer sent after
the server's deadline is refused (that trainee's page never hears the quiz end: its
`quiz_ended` frames are dropped, so the page still offers to send).

Screenshots (vi) of the lecturer's live results and a trainee's quiz go to
docs/screenshots/ when CLASSBRIDGE_SCREENSHOTS is set to that directory.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, WebSocketRoute

from tests.support.wait import wait_until
from tests.web.support import ClassServer, dump, join, new_page, text, with_lang

pytestmark = pytest.mark.browser

QUESTION = "Nguyên tắc tổ chức cơ bản của Đảng Cộng sản Việt Nam là nguyên tắc nào?"
OPTIONS = ("Tự phê bình và phê bình", "Tập trung dân chủ", "Đoàn kết thống nhất", "Gắn bó mật thiết với nhân dân")
RIGHT = OPTIONS[1]
SHOTS = os.environ.get("CLASSBRIDGE_SCREENSHOTS")


def drop_quiz_ended(page: Page) -> None:
    """This page's socket loses every `quiz_ended` from the server (everything else passes)."""

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        ws.on_message(lambda message: server.send(message))
        server.on_message(lambda message: None if '"quiz_ended"' in str(message) else ws.send(message))

    page.route_web_socket(re.compile(r"/ws/"), route)


@pytest.fixture(scope="module")
def pages(browser: Browser, server: ClassServer) -> Iterator[tuple[Page, Page, Page]]:
    links = server.create_class("Bồi dưỡng lý luận chính trị – Khóa 3")["links"]
    contexts: list[BrowserContext] = []
    opened = []
    for n, (role, name) in enumerate((("lecturer", "TS. Nguyễn Văn An"), ("trainee", "Trần Thị Bình"), ("trainee", "Lê Văn Cường"))):
        context, page = new_page(browser)
        contexts.append(context)
        if n == 2:
            drop_quiz_ended(page)
        join(page, with_lang(links[role], "vi"), name)
        opened.append(page)
    try:
        yield opened[0], opened[1], opened[2]
    finally:
        for context in contexts:
            context.close()


def launch(lecturer: Page, seconds: int) -> None:
    lecturer.fill("#quiz-text", QUESTION)
    for i, option in enumerate(OPTIONS):
        lecturer.fill(f"input[data-option='{i}']", option)
    lecturer.check(f"input[data-right='{OPTIONS.index(RIGHT)}']")
    lecturer.fill("#quiz-seconds", str(seconds))
    lecturer.click(".quiz-launch button[type=submit]")


def answer(trainee: Page, option: str) -> None:
    """Choose the option with this text on the trainee's own paper and send it."""
    wait_until(lambda: trainee.locator(".panel-quiz .quiz-choice").count() == 4, 20, "the quiz on the trainee's page", describe=lambda: dump(trainee))
    trainee.locator(".quiz-choice", has_text=option).locator("input").check()
    trainee.click(".panel-quiz [data-action=answer]")


def scores(lecturer: Page) -> dict[str, str]:
    """Per trainee on the lecturer's page: "answered score"."""
    return dict(lecturer.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('.quiz-scores tbody tr')]"
        ".map((r) => [r.cells[0].innerText, `${r.cells[1].innerText} ${r.cells[2].innerText}`]))"
    ))


def test_two_trainees_answer_one_reloads_the_lecturer_sees_both_scores(pages: tuple[Page, Page, Page], server: ClassServer) -> None:
    lecturer, binh, cuong = pages
    launch(lecturer, 120)
    answer(binh, RIGHT)
    wait_until(lambda: binh.locator(".quiz-question[data-saved=yes]").count() == 1, 15, "Bình's answer saved", describe=lambda: dump(binh))
    order = binh.evaluate("() => [...document.querySelectorAll('.quiz-choice')].map((c) => c.innerText)")
    binh.reload()  # mid-quiz: the same paper, the answer kept, no second answer possible
    wait_until(lambda: binh.locator(".quiz-question[data-saved=yes]").count() == 1, 30, "Bình's saved answer after the reload", describe=lambda: dump(binh) + server.log_tail())
    assert binh.evaluate("() => [...document.querySelectorAll('.quiz-choice')].map((c) => c.innerText)") == order
    assert binh.locator(".quiz-choice", has_text=RIGHT).locator("input").is_checked()
    assert binh.locator(".panel-quiz [data-action=answer]").count() == 0
    answer(cuong, OPTIONS[2])  # wrong
    wait_until(lambda: scores(lecturer) == {"Trần Thị Bình": "1 100", "Lê Văn Cường": "1 0"}, 15,
               "both scores on the lecturer's page", describe=lambda: f"{scores(lecturer)}\n{dump(lecturer)}")
    bars = lecturer.evaluate("() => [...document.querySelectorAll('.quiz-bar-count')].map((c) => c.innerText)")
    assert bars == ["0", "1", "1", "0"]  # the lecturer's order: B (right) and C chosen once each
    widths = lecturer.evaluate("() => [...document.querySelectorAll('.quiz-bar-fill')].map((f) => f.offsetWidth / f.parentElement.offsetWidth)")
    assert [round(w, 1) for w in widths] == [0.0, 0.5, 0.5, 0.0]
    assert "Còn" in text(lecturer, ".quiz-clock")
    if SHOTS:
        lecturer.screenshot(path=str(Path(SHOTS) / "quiz-lecturer-results-vi.png"))
        binh.screenshot(path=str(Path(SHOTS) / "quiz-trainee-vi.png"))
    lecturer.click(".panel-quiz [data-action=release]")
    wait_until(lambda: "100/100" in text(binh, ".quiz-your-score"), 15, "Bình's released score", describe=lambda: dump(binh))
    wait_until(lambda: "0/100" in text(cuong, ".quiz-your-score"), 15, "Cường's released score", describe=lambda: dump(cuong))
    assert cuong.locator(".quiz-choice.right", has_text=RIGHT).count() == 1
    assert cuong.locator(".quiz-choice.wrong", has_text=OPTIONS[2]).count() == 1


def test_an_answer_after_the_deadline_is_refused(pages: tuple[Page, Page, Page], server: ClassServer) -> None:
    lecturer, _, cuong = pages
    lecturer.click(".panel-quiz [data-action=new]")
    launch(lecturer, 5)
    wait_until(lambda: cuong.locator(".panel-quiz [data-action=answer]").count() == 1, 20, "the second quiz on Cường's page", describe=lambda: dump(cuong))
    wait_until(lambda: "Đã kết thúc" in text(lecturer, ".quiz-clock"), 30, "the server ending the quiz", describe=lambda: dump(lecturer))
    assert cuong.locator(".panel-quiz [data-action=answer]").count() == 1  # his page never heard
    answer(cuong, RIGHT)
    wait_until(lambda: "Đã hết giờ: câu trả lời không được ghi nhận." in text(cuong, "#notices"), 15,
               "the refusal of the late answer", describe=lambda: dump(cuong) + server.log_tail())
    assert cuong.locator(".quiz-question[data-saved=yes]").count() == 0
    wait_until(lambda: scores(lecturer).get("Lê Văn Cường") == "0 0", 10, "Cường's score unchanged", describe=lambda: dump(lecturer))
