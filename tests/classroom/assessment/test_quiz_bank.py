"""A live quiz drawn from the class's course's bank, and its results kept (DatabaseQuizBank on
a real SQLite database, a real LiveClass with recording media peers)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.assessment import bank
from classroom.assessment.errors import InvalidQuiz
from classroom.assessment.in_class import ClassQuizzes
from classroom.assessment.live_quiz import QuizKind, QuizSpec
from classroom.assessment import models
from classroom.assessment.models import AttemptRecord
from classroom.assessment.papers import DrawRule
from classroom.assessment.questions import Kind, Question
from classroom.assessment.quiz_bank import DatabaseQuizBank
from classroom.assessment.quiz_events import QuizStarted
from classroom.models import ClassRecord
from classroom.roles import Role
from tests.classroom.test_class_interaction import ClassHarness
from tests.support.wait import until


async def test_a_quiz_from_the_bank_is_kept_with_one_attempt_per_trainee(db: sessionmaker[Session]) -> None:
    for n in range(4):
        bank.add(db, "c1", Question(Kind.TRUE_FALSE, f"Nhận định {n}.", correct=(0,), topic="Dân vận"))
    bank.add(db, "c1", Question(Kind.SHORT, "Nêu ví dụ.", topic="Dân vận"))  # never asked live
    info = classes.create(db, "Buổi 1")
    with db.begin() as session:
        session.get(ClassRecord, info.id).course_id = "c1"  # type: ignore[union-attr]
    h = ClassHarness()
    quizzes = ClassQuizzes(info.id, h.clock.wall, lambda: list(h.live.participants.values()), DatabaseQuizBank(db), timer=h.clock.schedule)
    h.live.quizzes = quizzes
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    an, an_inbox = await h.join(Role.TRAINEE, "Nguyễn Văn An", external_id="HV001")
    guest, _ = await h.join(Role.TRAINEE, "Khách")  # not on the roster: answers, but is not kept
    with pytest.raises(InvalidQuiz, match="4 question"):
        await quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 60, draw=(DrawRule(5, topic="Dân vận"),)))
    quiz_id = await quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 60, draw=(DrawRule(3, topic="Dân vận"),)))
    (paper,) = an_inbox.of(QuizStarted)
    assert len(paper.quiz.questions) == 3 and all(q.kind is Kind.TRUE_FALSE for q in paper.quiz.questions)
    for n in range(3):
        quizzes.answer(an, quiz_id, n, (0 if n < 2 else 1,))
    quizzes.answer(guest, quiz_id, 0, (0,))
    quizzes.end(lecturer, quiz_id)

    def kept() -> list[AttemptRecord]:
        with db() as session:
            return list(session.scalars(select(AttemptRecord).where(AttemptRecord.test_id == quiz_id)))

    (attempt,) = await until(kept, 10, "the quiz's results kept")
    assert attempt.external_id == "HV001" and attempt.score == pytest.approx(66.7)
    with db() as session:
        test = session.get(models.TestRecord, quiz_id)
        assert test is not None and test.kind == "quiz" and test.class_id == info.id and len(test.question_ids) == 3


async def test_a_class_without_a_course_has_no_bank(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "Buổi lẻ")
    h = ClassHarness()
    quizzes = ClassQuizzes(info.id, h.clock.wall, lambda: list(h.live.participants.values()), DatabaseQuizBank(db), timer=h.clock.schedule)
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    with pytest.raises(InvalidQuiz, match="no course"):
        await quizzes.start(lecturer, QuizSpec(QuizKind.QUIZ, 60, question_ids=(1,)))
