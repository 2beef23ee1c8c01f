"""Module-end tests (kiểm tra kết thúc môn học): composed by the lecturer, taken once by each
trainee of the course within a time window and a per-attempt time limit, graded (short
answers by the lecturer), and counted in the course's completion rule.

Synchronous SQLAlchemy, one transaction per call, the time passed in (`now`), so the rules
are tested with an injected clock. An attempt draws its questions (a draw rule) and shuffles
them with its own seed when it starts, and keeps them: a reload shows the same paper with the
answers saved so far. The server closes an attempt at its deadline: whatever reads it after
that (the trainee's page, the results, `scores_of`) finds it closed at the deadline and scored
with the answers saved before it; an answer after it is refused.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment import bank
from classroom.assessment.errors import (
    AlreadyAttempted,
    AttemptClosed,
    CourseNotFound,
    InvalidAnswer,
    InvalidExam,
    NotEnoughQuestions,
    NotGradable,
    NotOnRoster,
    ExamNotFound,
    ExamNotOpen,
)
from classroom.assessment.models import AttemptRecord, TestRecord
from classroom.assessment.papers import SEED_BITS, DrawRule, Paper, draw, paper, shown_options, to_original
from classroom.assessment.questions import Answer, Difficulty, Kind, Question, answer_problem, score
from classroom.courses.models import CourseRecord, TraineeRecord

TIME_LIMIT_MIN_S = 60
TIME_LIMIT_MAX_S = 8 * 3600
QUESTIONS_MAX = 200


@dataclass(frozen=True)
class ExamSpec:
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    question_ids: tuple[int, ...] = ()
    draw: tuple[DrawRule, ...] = ()


@dataclass(frozen=True)
class ExamInfo:
    id: str
    course_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    time_limit_s: int
    question_ids: tuple[int, ...]
    draw: tuple[DrawRule, ...]
    questions: int  # per attempt


@dataclass(frozen=True)
class ShownQuestion:
    kind: Kind
    text: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class AttemptView:
    """What the trainee sees: their paper, their answers as saved (shown positions or text)."""

    exam_id: str
    title: str
    started_at: datetime
    deadline: datetime
    closed: bool
    questions: tuple[ShownQuestion, ...]
    answers: dict[int, tuple[int, ...] | str]
    score: float | None  # once closed and fully graded


@dataclass(frozen=True)
class ResultRow:
    external_id: str
    name: str
    started_at: datetime | None
    closed_at: datetime | None
    answered: int
    score: float | None  # 0..100; None: not taken, still running or waiting for grading
    pending: int  # short answers waiting for the lecturer


@dataclass(frozen=True)
class ItemStats:
    """One bank question over the attempts that got it."""

    question_id: int
    text: str
    kind: Kind
    attempts: int
    option_counts: tuple[int, ...]  # how many chose each option (the bank's order)
    difficulty_index: float | None  # share of attempts that got it right (p); None: ungraded


# ---- composing ----------------------------------------------------------------------------------


def _exam_info(record: TestRecord) -> ExamInfo:
    rules = tuple(
        DrawRule(r["count"], r.get("topic"), Difficulty(r["difficulty"]) if r.get("difficulty") else None)
        for r in record.draw
    )
    return ExamInfo(
        id=record.id, course_id=record.course_id, title=record.title, opens_at=record.opens_at,
        closes_at=record.closes_at, time_limit_s=record.time_limit_s, question_ids=tuple(record.question_ids),
        draw=rules, questions=len(record.question_ids) + sum(r.count for r in rules),
    )


def compose(db: sessionmaker[Session], course_id: str, spec: ExamSpec, now: datetime) -> ExamInfo:
    """A new module-end test; InvalidExam or NotEnoughQuestions if it cannot be taken as asked."""
    if not spec.title.strip():
        raise InvalidExam("a test needs a title")
    if spec.closes_at <= spec.opens_at:
        raise InvalidExam("the test must close after it opens")
    if not TIME_LIMIT_MIN_S <= spec.time_limit_s <= TIME_LIMIT_MAX_S:
        raise InvalidExam(f"the time limit is {TIME_LIMIT_MIN_S} s to {TIME_LIMIT_MAX_S} s")
    count = len(spec.question_ids) + sum(r.count for r in spec.draw)
    if count == 0 or count > QUESTIONS_MAX:
        raise InvalidExam(f"a test has 1 to {QUESTIONS_MAX} questions")
    if len(set(spec.question_ids)) != len(spec.question_ids):
        raise InvalidExam("a question is chosen twice")
    pool = [(s.id, s.question) for s in bank.questions(db, course_id)]
    known = {qid for qid, _ in pool}
    missing = [i for i in spec.question_ids if i not in known]
    if missing:
        raise InvalidExam(f"the course's bank has no question {missing[0]}")
    left = [(qid, q) for qid, q in pool if qid not in spec.question_ids]
    draw(left, spec.draw, seed=0)  # NotEnoughQuestions now rather than at a trainee's start
    record = TestRecord(
        id=secrets.token_urlsafe(9), course_id=course_id, kind="test", class_id=None, title=spec.title.strip(),
        question_ids=list(spec.question_ids),
        draw=[{"count": r.count, "topic": r.topic, "difficulty": r.difficulty.value if r.difficulty else None}
              for r in spec.draw],
        opens_at=spec.opens_at, closes_at=spec.closes_at, time_limit_s=spec.time_limit_s, released=False,
        created_at=now,
    )
    with db.begin() as session:
        session.add(record)
    return _exam_info(record)


def exams(db: sessionmaker[Session], course_id: str) -> list[ExamInfo]:
    with db() as session:
        if session.get(CourseRecord, course_id) is None:
            raise CourseNotFound(course_id)
        query = select(TestRecord).where(TestRecord.course_id == course_id, TestRecord.kind == "test")
        return [_exam_info(r) for r in session.scalars(query.order_by(TestRecord.opens_at))]


def _exam(session: Session, course_id: str, exam_id: str) -> TestRecord:
    record = session.get(TestRecord, exam_id)
    if record is None or record.course_id != course_id or record.kind != "test":
        raise ExamNotFound(exam_id)
    return record


# ---- taking it ------------------------------------------------------------------------------------


def _question_of(data: dict[str, Any]) -> Question:
    return Question(
        kind=Kind(data["kind"]), text=data["text"], options=tuple(data["options"]), correct=tuple(data["correct"]),
        accepted=tuple(data["accepted"]), topic=data.get("topic", ""),
    )


def _snapshot(qid: int, q: Question) -> dict[str, Any]:
    return {"id": qid, "kind": q.kind.value, "text": q.text, "options": list(q.options), "correct": list(q.correct),
            "accepted": list(q.accepted), "topic": q.topic}


def _paper_of(attempt: AttemptRecord) -> tuple[list[Question], Paper]:
    questions = [_question_of(d) for d in attempt.questions]
    order = tuple(attempt.question_ids)  # here: the shown order, as indexes into `questions`
    return questions, Paper(order, tuple(tuple(o) for o in attempt.option_orders))


def _answer_of(value: Any) -> Answer:
    return value if isinstance(value, str) else tuple(value)


def _close(attempt: AttemptRecord, at: datetime) -> None:
    """Close and mark (auto-graded now, short answers later); the score once all are marked."""
    questions, _ = _paper_of(attempt)
    marks: dict[str, float | None] = {}
    for index, q in enumerate(questions):
        given = attempt.answers.get(str(index))
        marks[str(index)] = score(q, None if given is None else _answer_of(given))
    attempt.marks = marks
    attempt.closed_at = at
    attempt.score = _score(marks)


def _score(marks: dict[str, float | None]) -> float | None:
    if not marks or any(m is None for m in marks.values()):
        return None
    return round(100 * sum(m for m in marks.values() if m is not None) / len(marks), 1)


def _settle(attempt: AttemptRecord, now: datetime) -> None:
    """The server's clock: an attempt past its deadline is closed at the deadline."""
    if attempt.closed_at is None and now >= attempt.deadline:
        _close(attempt, attempt.deadline)


def _view(record: TestRecord, attempt: AttemptRecord) -> AttemptView:
    questions, p = _paper_of(attempt)
    shown = tuple(ShownQuestion(questions[i].kind, questions[i].text, shown_options(questions[i], p.options[i]))
                  for i in p.order)
    answers: dict[int, tuple[int, ...] | str] = {}
    for position, index in enumerate(p.order):
        given = attempt.answers.get(str(index))
        if given is None:
            continue
        answers[position] = given if isinstance(given, str) else p.shown_choice(index, given)
    return AttemptView(record.id, record.title, attempt.started_at, attempt.deadline, attempt.closed_at is not None,
                       shown, answers, attempt.score if attempt.closed_at is not None else None)


def _attempt(session: Session, exam_id: str, external_id: str) -> AttemptRecord | None:
    return session.scalar(
        select(AttemptRecord).where(AttemptRecord.test_id == exam_id, AttemptRecord.external_id == external_id)
    )


def start(db: sessionmaker[Session], course_id: str, exam_id: str, external_id: str, now: datetime) -> AttemptView:
    """Start the trainee's attempt, or resume it (the same paper, the answers saved);
    ExamNotOpen outside the window, NotOnRoster, AlreadyAttempted once it is over."""
    with db.begin() as session:
        record = _exam(session, course_id, exam_id)
        trainee = session.get(TraineeRecord, (course_id, external_id))
        if trainee is None:
            raise NotOnRoster(f"{external_id!r} is not a trainee of course {course_id!r}")
        attempt = _attempt(session, exam_id, external_id)
        if attempt is not None:
            _settle(attempt, now)
            return _view(record, attempt)  # a reload: the same paper, open or closed
        if not record.opens_at <= now < record.closes_at:
            raise ExamNotOpen("the test is not open now" if now < record.closes_at else "the test has closed")
        seed = random.SystemRandom().randrange(1 << SEED_BITS)
        info = _exam_info(record)
        chosen = [(s.id, s.question) for s in bank.questions(db, course_id, ids=list(info.question_ids))]
        chosen.sort(key=lambda item: info.question_ids.index(item[0]))
        pool = [(s.id, s.question) for s in bank.questions(db, course_id) if s.id not in info.question_ids]
        try:
            chosen += draw(pool, info.draw, seed)
        except NotEnoughQuestions as e:
            raise InvalidExam(f"the bank changed since the test was composed: {e.message}") from None
        questions = [q for _, q in chosen]
        p = paper(questions, seed)
        deadline = min(now + timedelta(seconds=record.time_limit_s), record.closes_at)
        attempt = AttemptRecord(
            test_id=exam_id, course_id=course_id, external_id=external_id, name=trainee.name, seed=seed,
            question_ids=list(p.order), option_orders=[list(o) for o in p.options],
            questions=[_snapshot(qid, q) for qid, q in chosen], answers={}, marks={},
            started_at=now, deadline=deadline, closed_at=None, score=None,
        )
        session.add(attempt)
        session.flush()
        return _view(record, attempt)


def save_answer(
    db: sessionmaker[Session], course_id: str, exam_id: str, external_id: str, shown_question: int,
    answer: tuple[int, ...] | str, now: datetime,
) -> None:
    """Keep the trainee's answer to a question as shown (replacing an earlier one) while the
    attempt is open; AttemptClosed after its deadline or its submission."""
    with db.begin() as session:
        _exam(session, course_id, exam_id)
        attempt = _attempt(session, exam_id, external_id)
        if attempt is None:
            raise AttemptClosed("start the test first")
        _settle(attempt, now)
        if attempt.closed_at is not None:
            raise AttemptClosed("the time for this test is over: the answer was not saved")
        questions, p = _paper_of(attempt)
        try:
            index, original = to_original(p, questions, shown_question, answer)
        except IndexError:
            raise InvalidAnswer("the answer names a question or option not on your paper") from None
        problem = answer_problem(questions[index], original)
        if problem is not None:
            raise InvalidAnswer(f"the answer does not fit the question ({problem})")
        answers = dict(attempt.answers)
        answers[str(index)] = original if isinstance(original, str) else list(original)
        attempt.answers = answers


def submit(db: sessionmaker[Session], course_id: str, exam_id: str, external_id: str, now: datetime) -> AttemptView:
    with db.begin() as session:
        record = _exam(session, course_id, exam_id)
        attempt = _attempt(session, exam_id, external_id)
        if attempt is None:
            raise AttemptClosed("start the test first")
        _settle(attempt, now)
        if attempt.closed_at is not None:
            raise AlreadyAttempted("the attempt is already over")
        _close(attempt, now)
        return _view(record, attempt)


# ---- grading and results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ungraded:
    external_id: str
    name: str
    question: int  # the attempt's question index
    text: str
    accepted: tuple[str, ...]
    answer: str


def ungraded(db: sessionmaker[Session], course_id: str, exam_id: str, now: datetime) -> list[Ungraded]:
    """Short answers waiting for the lecturer (of closed attempts)."""
    with db.begin() as session:
        _exam(session, course_id, exam_id)
        found = []
        for attempt in _attempts(session, exam_id):
            _settle(attempt, now)
            if attempt.closed_at is None:
                continue
            questions, _ = _paper_of(attempt)
            for key, mark in attempt.marks.items():
                if mark is None:
                    q = questions[int(key)]
                    found.append(Ungraded(attempt.external_id, attempt.name, int(key), q.text, q.accepted,
                                          str(attempt.answers.get(key, ""))))
        return found


def grade(
    db: sessionmaker[Session], course_id: str, exam_id: str, external_id: str, question: int, mark: float, now: datetime
) -> float | None:
    """The lecturer's mark (0..1) for a short answer; the attempt's score once all are marked."""
    if not 0.0 <= mark <= 1.0:
        raise NotGradable("a mark is from 0 to 1")
    with db.begin() as session:
        _exam(session, course_id, exam_id)
        attempt = _attempt(session, exam_id, external_id)
        if attempt is None:
            raise NotGradable(f"{external_id!r} has not taken this test")
        _settle(attempt, now)
        questions, _ = _paper_of(attempt)
        if attempt.closed_at is None or not 0 <= question < len(questions) or questions[question].kind is not Kind.SHORT:
            raise NotGradable("only a short answer of a finished attempt is graded")
        marks = dict(attempt.marks)
        marks[str(question)] = mark
        attempt.marks = marks
        attempt.score = _score(marks)
        return attempt.score


def _attempts(session: Session, exam_id: str) -> Sequence[AttemptRecord]:
    return session.scalars(select(AttemptRecord).where(AttemptRecord.test_id == exam_id).order_by(AttemptRecord.id)).all()


def results(db: sessionmaker[Session], course_id: str, exam_id: str, now: datetime) -> list[ResultRow]:
    """Every trainee on the roster, with their attempt's result (or none)."""
    with db.begin() as session:
        _exam(session, course_id, exam_id)
        by_trainee = {a.external_id: a for a in _attempts(session, exam_id)}
        roster = session.scalars(
            select(TraineeRecord).where(TraineeRecord.course_id == course_id).order_by(TraineeRecord.external_id)
        ).all()
        rows = []
        for trainee in roster:
            attempt = by_trainee.get(trainee.external_id)
            if attempt is None:
                rows.append(ResultRow(trainee.external_id, trainee.name, None, None, 0, None, 0))
                continue
            _settle(attempt, now)
            pending = sum(1 for m in attempt.marks.values() if m is None)
            rows.append(ResultRow(trainee.external_id, trainee.name, attempt.started_at, attempt.closed_at,
                                  len(attempt.answers), attempt.score, pending))
        return rows


def item_statistics(db: sessionmaker[Session], course_id: str, exam_id: str, now: datetime) -> list[ItemStats]:
    """Per bank question: how many chose each option and the difficulty index (closed attempts)."""
    with db.begin() as session:
        _exam(session, course_id, exam_id)
        tally: dict[int, dict[str, Any]] = {}
        for attempt in _attempts(session, exam_id):
            _settle(attempt, now)
            if attempt.closed_at is None:
                continue
            for index, data in enumerate(attempt.questions):
                q = _question_of(data)
                item = tally.setdefault(data["id"], {"q": q, "attempts": 0, "right": 0.0, "graded": 0,
                                                     "counts": [0] * (2 if q.kind is Kind.TRUE_FALSE else len(q.options))})
                item["attempts"] += 1
                given = attempt.answers.get(str(index))
                if given is not None and not isinstance(given, str):
                    for option in given:
                        item["counts"][option] += 1
                mark = attempt.marks.get(str(index))
                if mark is not None:
                    item["right"] += mark
                    item["graded"] += 1
        return [
            ItemStats(qid, t["q"].text, t["q"].kind, t["attempts"], tuple(t["counts"]),
                      round(t["right"] / t["graded"], 3) if t["graded"] else None)
            for qid, t in sorted(tally.items())
        ]


def results_rows(rows: list[ResultRow], language: str = "vi") -> list[list[str]]:
    header = (["Mã học viên", "Họ và tên", "Bắt đầu", "Nộp bài", "Số câu đã trả lời", "Điểm (/100)", "Câu chờ chấm"]
              if language == "vi" else
              ["external id", "name", "started", "finished", "answered", "score (/100)", "waiting for grading"])
    out = [header]
    for r in rows:
        out.append([r.external_id, r.name, r.started_at.isoformat() if r.started_at else "",
                    r.closed_at.isoformat() if r.closed_at else "", str(r.answered),
                    "" if r.score is None else f"{r.score:g}", str(r.pending)])
    return out


def results_csv(rows: list[ResultRow], language: str = "vi") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in results_rows(rows, language):
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def results_xlsx(rows: list[ResultRow], language: str = "vi") -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kết quả" if language == "vi" else "Results"
    for r, row in enumerate(results_rows(rows, language), start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            cell.data_type = TYPE_STRING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the course's completion rule ----------------------------------------------------------------------


def scores_of(db: sessionmaker[Session], course_id: str, now: datetime) -> dict[str, float]:
    """Each trainee's score (0..100) over the course's module-end tests, for the completion
    rule: the mean of their test scores, a test they did not take counting 0 once it has
    closed. A trainee with an attempt still running or waiting for grading, or with no test
    closed nor taken yet, is left out (their score is not known yet)."""
    with db.begin() as session:
        tests = session.scalars(select(TestRecord).where(TestRecord.course_id == course_id, TestRecord.kind == "test")).all()
        roster = [t.external_id for t in session.scalars(select(TraineeRecord).where(TraineeRecord.course_id == course_id))]
        per: dict[str, list[float | None]] = {e: [] for e in roster}
        for test in tests:
            attempts = {a.external_id: a for a in _attempts(session, test.id)}
            for external_id in roster:
                attempt = attempts.get(external_id)
                if attempt is None:
                    if now >= test.closes_at:
                        per[external_id].append(0.0)
                    continue
                _settle(attempt, now)
                per[external_id].append(attempt.score if attempt.closed_at is not None else None)
        return {
            e: round(sum(s for s in scores if s is not None) / len(scores), 1)
            for e, scores in per.items()
            if scores and all(s is not None for s in scores)
        }


class Assessments:
    """The completion rule's score provider (classroom/courses/completion.py's ScoreProvider)."""

    REUSE_S = 2.0  # a report asks for every trainee in turn: one reading of the course serves them

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] | None = None):
        self.db = db
        self._clock = clock or (lambda: datetime.now(UTC))
        self._last: tuple[str, datetime, dict[str, float]] | None = None

    def scores_of(self, course_id: str) -> dict[str, float]:
        return scores_of(self.db, course_id, self._clock())

    def score(self, course_id: str, external_id: str) -> float | None:
        now = self._clock()
        last = self._last
        if last is None or last[0] != course_id or not timedelta(0) <= now - last[1] <= timedelta(seconds=self.REUSE_S):
            last = (course_id, now, scores_of(self.db, course_id, now))
            self._last = last
        return last[2].get(external_id)
