"""Where a live class gets bank questions for a quiz and keeps its results: the port, and its
database implementation (the class's course's bank; results as a test of kind "quiz" with one
attempt per trainee of the course's roster)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom.assessment import bank
from classroom.assessment.errors import InvalidQuiz
from classroom.assessment.live_quiz import LiveQuiz, QuizKind
from classroom.assessment.models import AttemptRecord, TestRecord
from classroom.assessment.papers import DrawRule, draw
from classroom.assessment.questions import Kind, Question, score
from classroom.courses.models import TraineeRecord
from classroom.models import ClassRecord


class QuizBank(Protocol):
    async def questions(
        self, class_id: str, ids: Sequence[int], rules: Sequence[DrawRule], seed: int
    ) -> list[tuple[int, Question]]:
        """The chosen questions, then the drawn ones (InvalidQuiz or NotEnoughQuestions)."""
        ...

    async def record(self, class_id: str, quiz: LiveQuiz, at: datetime) -> None:
        """Keep an ended quiz's results (nothing for polls or classes without a course)."""
        ...


LIVE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.TRUE_FALSE)


class DatabaseQuizBank:
    def __init__(self, db: sessionmaker[Session]):
        self.db = db

    def _course(self, class_id: str) -> str | None:
        with self.db() as session:
            record = session.get(ClassRecord, class_id)
            return record.course_id if record else None

    async def questions(
        self, class_id: str, ids: Sequence[int], rules: Sequence[DrawRule], seed: int
    ) -> list[tuple[int, Question]]:
        def load() -> list[tuple[int, Question]]:
            course_id = self._course(class_id)
            if course_id is None:
                raise InvalidQuiz("this class belongs to no course, so it has no question bank: type the questions")
            chosen: list[tuple[int, Question]] = []
            if ids:
                found = {s.id: s.question for s in bank.questions(self.db, course_id, ids=list(ids))}
                missing = [i for i in ids if i not in found]
                if missing:
                    raise InvalidQuiz(f"the course's bank has no question {missing[0]}")
                chosen = [(i, found[i]) for i in ids]
            if rules:
                taken = {i for i, _ in chosen}
                pool = [(s.id, s.question) for s in bank.questions(self.db, course_id, kinds=LIVE_KINDS)
                        if s.id not in taken]
                chosen += draw(pool, rules, seed)
            return chosen

        return await run_in_threadpool(load)

    async def record(self, class_id: str, quiz: LiveQuiz, at: datetime) -> None:
        if quiz.kind is not QuizKind.QUIZ:
            return

        def save() -> None:
            course_id = self._course(class_id)
            if course_id is None:
                return
            with self.db.begin() as session:
                on_roster = {
                    t.external_id for t in session.query(TraineeRecord).filter(TraineeRecord.course_id == course_id)
                }
                session.add(TestRecord(
                    id=quiz.id, course_id=course_id, kind="quiz", class_id=class_id,
                    title=f"{quiz.questions[0].text[:150]}", question_ids=[i for i in quiz.question_ids if i is not None],
                    draw=[], opens_at=quiz.started_at, closes_at=quiz.deadline,
                    time_limit_s=quiz.time_limit_s, released=quiz.released, created_at=at,
                ))
                session.flush()  # the test before its attempts (their foreign key)
                for taker in quiz.takers.values():
                    if taker.identity not in on_roster:
                        continue
                    marks = {str(i): score(q, taker.answers.get(i)) for i, q in enumerate(quiz.questions)}
                    session.add(AttemptRecord(
                        test_id=quiz.id, course_id=course_id, external_id=taker.identity, name=taker.name,
                        seed=0, question_ids=[i if i is not None else -1 for i in quiz.question_ids],
                        option_orders=[list(o) for o in taker.paper.options],
                        questions=[], answers={str(i): list(a) if isinstance(a, tuple) else a
                                               for i, a in taker.answers.items()},
                        marks=marks, started_at=quiz.started_at, deadline=quiz.deadline,
                        closed_at=quiz.ended_at, score=quiz.result_of(taker).score,
                    ))

        await run_in_threadpool(save)
