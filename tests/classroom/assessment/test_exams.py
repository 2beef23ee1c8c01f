"""Module-end tests on a real SQLite database with an injected clock: composing (fixed and
drawn), the window, one attempt per trainee, a reload keeping the paper and the answers, the
server's time limit, short answers graded by the lecturer, results, item statistics, exports
and the scores the completion rule reads."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment import bank, exams
from classroom.assessment.errors import (
    AlreadyAttempted,
    AttemptClosed,
    InvalidAnswer,
    InvalidExam,
    NotEnoughQuestions,
    NotGradable,
    NotOnRoster,
    ExamNotOpen,
)
from classroom.assessment.exams import ExamSpec
from classroom.assessment.papers import DrawRule
from classroom.assessment.questions import Difficulty, Kind, Question

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def fill_bank(db: sessionmaker[Session]) -> list[int]:
    ids = [
        bank.add(db, "c1", Question(Kind.SINGLE, "Thủ đô?", ("Hà Nội", "Huế", "Vinh"), (0,), topic="Địa lý")),
        bank.add(db, "c1", Question(Kind.MULTIPLE, "Cơ quan nhà nước?", ("HĐND", "Mặt trận", "UBND"), (0, 2), topic="QLNN")),
        bank.add(db, "c1", Question(Kind.TRUE_FALSE, "Lạng Sơn giáp Trung Quốc.", correct=(0,), topic="Địa lý")),
        bank.add(db, "c1", Question(Kind.SHORT, "Nêu phương châm dân vận.", accepted=("dân biết, dân bàn…",), topic="Dân vận")),
    ]
    for n in range(6):
        ids.append(bank.add(db, "c1", Question(Kind.TRUE_FALSE, f"Nhận định số {n}.", correct=(n % 2,), topic="Chung",
                                               difficulty=Difficulty.HARD if n < 3 else Difficulty.EASY)))
    return ids


def spec(ids: list[int], **changes: object) -> ExamSpec:
    base = dict(title="Kiểm tra kết thúc học phần I", opens_at=T0, closes_at=T0 + 2 * HOUR, time_limit_s=1800,
                question_ids=tuple(ids[:4]), draw=(DrawRule(2, topic="Chung", difficulty=Difficulty.HARD),))
    return ExamSpec(**(base | changes))  # type: ignore[arg-type]


def shown(view: exams.AttemptView, text: str) -> int:
    return next(i for i, q in enumerate(view.questions) if q.text == text)


def option(view: exams.AttemptView, n: int, text: str) -> int:
    return view.questions[n].options.index(text)


def test_compose_refuses_what_cannot_be_taken(db: sessionmaker[Session]) -> None:
    ids = fill_bank(db)
    with pytest.raises(InvalidExam):
        exams.compose(db, "c1", spec(ids, closes_at=T0), T0)
    with pytest.raises(InvalidExam):
        exams.compose(db, "c1", spec(ids, time_limit_s=5), T0)
    with pytest.raises(InvalidExam, match="no question 999"):
        exams.compose(db, "c1", spec(ids, question_ids=(999,)), T0)
    with pytest.raises(NotEnoughQuestions):
        exams.compose(db, "c1", spec(ids, draw=(DrawRule(4, topic="Chung", difficulty=Difficulty.HARD),)), T0)
    info = exams.compose(db, "c1", spec(ids), T0)
    assert info.questions == 6 and [e.id for e in exams.exams(db, "c1")] == [info.id]


def test_an_attempt_from_start_to_score(db: sessionmaker[Session]) -> None:
    ids = fill_bank(db)
    exam = exams.compose(db, "c1", spec(ids), T0)
    with pytest.raises(ExamNotOpen):
        exams.start(db, "c1", exam.id, "HV001", T0 - timedelta(minutes=1))
    with pytest.raises(NotOnRoster):
        exams.start(db, "c1", exam.id, "HV999", T0)
    view = exams.start(db, "c1", exam.id, "HV001", T0 + timedelta(minutes=1))
    assert len(view.questions) == 6 and view.deadline == T0 + timedelta(minutes=31)
    drawn = [q.text for q in view.questions if q.text.startswith("Nhận định")]
    assert len(drawn) == 2 and all(int(t[-2]) < 3 for t in drawn)  # the hard ones
    capital = shown(view, "Thủ đô?")
    exams.save_answer(db, "c1", exam.id, "HV001", capital, (option(view, capital, "Huế"),), T0 + timedelta(minutes=2))
    exams.save_answer(db, "c1", exam.id, "HV001", capital, (option(view, capital, "Hà Nội"),), T0 + timedelta(minutes=3))
    bodies = shown(view, "Cơ quan nhà nước?")
    exams.save_answer(db, "c1", exam.id, "HV001", bodies, tuple(sorted((option(view, bodies, "HĐND"), option(view, bodies, "UBND")))),
                      T0 + timedelta(minutes=4))
    motto = shown(view, "Nêu phương châm dân vận.")
    exams.save_answer(db, "c1", exam.id, "HV001", motto, "Dân biết, dân bàn, dân làm, dân kiểm tra", T0 + timedelta(minutes=5))
    with pytest.raises(InvalidAnswer):
        exams.save_answer(db, "c1", exam.id, "HV001", capital, (0, 1), T0 + timedelta(minutes=5))
    again = exams.start(db, "c1", exam.id, "HV001", T0 + timedelta(minutes=6))  # a reload
    assert again.questions == view.questions
    assert again.answers == {capital: (option(view, capital, "Hà Nội"),), bodies: tuple(sorted((option(view, bodies, "HĐND"), option(view, bodies, "UBND")))),
                             motto: "Dân biết, dân bàn, dân làm, dân kiểm tra"}
    done = exams.submit(db, "c1", exam.id, "HV001", T0 + timedelta(minutes=7))
    assert done.closed and done.score is None  # the short answer waits for the lecturer
    with pytest.raises(AlreadyAttempted):
        exams.submit(db, "c1", exam.id, "HV001", T0 + timedelta(minutes=8))
    with pytest.raises(AttemptClosed):
        exams.save_answer(db, "c1", exam.id, "HV001", capital, (0,), T0 + timedelta(minutes=8))
    (waiting,) = exams.ungraded(db, "c1", exam.id, T0 + timedelta(minutes=8))
    assert waiting.answer.startswith("Dân biết") and waiting.accepted == ("dân biết, dân bàn…",)
    with pytest.raises(NotGradable):
        exams.grade(db, "c1", exam.id, "HV001", waiting.question, 2.0, T0 + HOUR)
    score = exams.grade(db, "c1", exam.id, "HV001", waiting.question, 1.0, T0 + HOUR)
    assert score == 50.0  # the capital, the bodies and the motto right; the true/false ones unanswered


def test_the_server_closes_an_attempt_at_its_limit(db: sessionmaker[Session]) -> None:
    ids = fill_bank(db)
    exam = exams.compose(db, "c1", spec(ids, question_ids=tuple(ids[:3]), draw=(), time_limit_s=600), T0)
    view = exams.start(db, "c1", exam.id, "HV002", T0)
    capital = shown(view, "Thủ đô?")
    exams.save_answer(db, "c1", exam.id, "HV002", capital, (option(view, capital, "Hà Nội"),), T0 + timedelta(seconds=599))
    with pytest.raises(AttemptClosed):  # one second late
        exams.save_answer(db, "c1", exam.id, "HV002", shown(view, "Lạng Sơn giáp Trung Quốc."), (0,), T0 + timedelta(seconds=601))
    later = exams.start(db, "c1", exam.id, "HV002", T0 + HOUR)
    assert later.closed and later.score == pytest.approx(33.3)
    rows = {r.external_id: r for r in exams.results(db, "c1", exam.id, T0 + HOUR)}
    assert rows["HV002"].closed_at == T0 + timedelta(seconds=600) and rows["HV001"].score is None
    stats = {s.text: s for s in exams.item_statistics(db, "c1", exam.id, T0 + HOUR)}
    assert stats["Thủ đô?"].option_counts == (1, 0, 0) and stats["Thủ đô?"].difficulty_index == 1.0
    assert stats["Lạng Sơn giáp Trung Quốc."].difficulty_index == 0.0
    # the completion rule: while open, those without an attempt are unknown; once closed, 0
    assert exams.scores_of(db, "c1", T0 + HOUR) == {"HV002": 33.3}
    assert exams.scores_of(db, "c1", T0 + 3 * HOUR) == {"HV001": 0.0, "HV002": 33.3, "HV003": 0.0}
    assert exams.Assessments(db, lambda: T0 + 3 * HOUR).score("c1", "HV002") == 33.3
    with pytest.raises(ExamNotOpen):
        exams.start(db, "c1", exam.id, "HV003", T0 + 3 * HOUR)
    xlsx = load_workbook(io.BytesIO(exams.results_xlsx(exams.results(db, "c1", exam.id, T0 + HOUR)))).worksheets[0]
    assert [c.value for c in xlsx[1]][:2] == ["Mã học viên", "Họ và tên"] and xlsx["F3"].value == "33.3"
    assert "Trần Thị Bình" in exams.results_csv(exams.results(db, "c1", exam.id, T0 + HOUR)).decode("utf-8-sig")


def test_each_attempt_has_its_own_reproducible_paper(db: sessionmaker[Session]) -> None:
    ids = fill_bank(db)
    exam = exams.compose(db, "c1", spec(ids, question_ids=(), draw=(DrawRule(5, topic="Chung"),)), T0)
    papers = [exams.start(db, "c1", exam.id, e, T0) for e in ("HV001", "HV002", "HV003")]
    assert len({tuple(q.text for q in p.questions) for p in papers}) > 1
    assert exams.start(db, "c1", exam.id, "HV001", T0 + timedelta(minutes=1)).questions == papers[0].questions
