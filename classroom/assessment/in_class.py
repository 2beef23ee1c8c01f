"""Polls and quizzes in a live class: the lecturer launches, trainees answer, the server
times it, lecturers watch the results come in, and release them.

`ClassQuizzes` is owned by a `LiveClass` (classroom/live_class.py), which forwards the
participants' requests and tells it who joins; it sends each participant their own view
through their outbox. One poll or quiz runs at a time; the last one stays (ended) so that its
results can still be released and a trainee who reloads sees them.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from classroom.assessment.errors import InvalidQuiz, NotEnoughQuestions, QuizRunning, UnknownQuiz
from classroom.assessment.live_quiz import LiveQuiz, QuizKind, QuizSpec
from classroom.assessment.papers import seed_for, shown_options
from classroom.assessment.quiz_bank import QuizBank
from classroom.assessment.quiz_events import (
    QuizAnswerTaken,
    QuizEnded,
    QuizQuestionView,
    QuizReleased,
    QuizResults,
    QuizStarted,
    QuizView,
)
from classroom.assessment.questions import Answer, Kind
from classroom.errors import NotAllowed
from classroom.roles import Role

logger = logging.getLogger(__name__)

RESULTS_EVERY_S = 0.25  # lecturers get the results at most this often while answers pour in
Timer = Callable[[float, Callable[[], None]], object]


class QuizOutbox(Protocol):
    def send(self, event: QuizStarted | QuizAnswerTaken | QuizResults | QuizEnded | QuizReleased) -> None: ...


class QuizParticipant(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def role(self) -> Role: ...
    @property
    def name(self) -> str: ...
    @property
    def identity(self) -> str | None: ...
    @property
    def outbox(self) -> QuizOutbox: ...


def _loop_timer(delay: float, callback: Callable[[], None]) -> object:
    return asyncio.get_running_loop().call_later(delay, callback)


class ClassQuizzes:
    def __init__(
        self,
        class_id: str,
        clock: Callable[[], datetime],
        participants: Callable[[], Iterable[QuizParticipant]],
        bank: QuizBank | None = None,
        timer: Timer = _loop_timer,
    ):
        self.class_id = class_id
        self._clock = clock
        self._participants = participants
        self._bank = bank
        self._timer = timer
        self.current: LiveQuiz | None = None
        self._results_due = False
        self._tasks: set[asyncio.Task[None]] = set()

    # ---- the lecturer ------------------------------------------------------------------------

    async def start(self, lecturer: QuizParticipant, spec: QuizSpec) -> str:
        _lecturer_only(lecturer, "launch a poll or quiz")
        if self.current is not None and self.current.open_at(self._clock()):
            raise QuizRunning()
        quiz_id = secrets.token_urlsafe(9)
        questions = list(spec.questions)
        ids: list[int | None] = [None] * len(questions)
        if spec.question_ids or spec.draw:
            if self._bank is None:
                raise InvalidQuiz("this class has no question bank: type the questions")
            try:
                drawn = await self._bank.questions(self.class_id, spec.question_ids, spec.draw, seed_for(quiz_id))
            except NotEnoughQuestions as e:
                raise InvalidQuiz(e.message) from None
            questions += [q for _, q in drawn]
            ids += [qid for qid, _ in drawn]
        if self.current is not None and self.current.open_at(self._clock()):
            raise QuizRunning()  # another lecturer launched one while the bank was read
        quiz = LiveQuiz(quiz_id, spec.kind, questions, self._clock(), spec.time_limit_s,
                        anonymous=spec.anonymous, shuffle=spec.shuffle, question_ids=ids)
        self.current = quiz
        self._timer(spec.time_limit_s, lambda: self._expire(quiz))
        for person in self._participants():
            self._send_view(person, quiz)
        return quiz_id

    def end(self, lecturer: QuizParticipant, quiz_id: str) -> None:
        _lecturer_only(lecturer, "end a poll or quiz")
        self._finish(self._quiz(quiz_id))

    def release(self, lecturer: QuizParticipant, quiz_id: str) -> None:
        """Scores to each trainee (a quiz), the counts to everyone (a poll); ends it first."""
        _lecturer_only(lecturer, "release results")
        quiz = self._quiz(quiz_id)
        self._finish(quiz)
        quiz.released = True
        for person in self._participants():
            self._send_release(person, quiz)

    # ---- trainees ------------------------------------------------------------------------------

    def answer(self, trainee: QuizParticipant, quiz_id: str, question: int, answer: Answer) -> None:
        if trainee.role is not Role.TRAINEE:
            raise NotAllowed("only trainees answer")
        quiz = self._quiz(quiz_id)
        quiz.answer(_identity(trainee), trainee.name, question, answer, self._clock())
        trainee.outbox.send(QuizAnswerTaken(quiz.id, question))
        self._results_soon(quiz)

    # ---- membership -------------------------------------------------------------------------------

    def seated(self, person: QuizParticipant) -> None:
        """Someone (re)joined: show them the running quiz, or the last one's released results."""
        quiz = self.current
        if quiz is None:
            return
        if quiz.open_at(self._clock()) or person.role is Role.LECTURER:
            self._send_view(person, quiz)
        if quiz.released:
            self._send_release(person, quiz)

    # ---- views ------------------------------------------------------------------------------------

    def _quiz(self, quiz_id: str) -> LiveQuiz:
        if self.current is None or self.current.id != quiz_id:
            raise UnknownQuiz(quiz_id)
        return self.current

    def _send_view(self, person: QuizParticipant, quiz: LiveQuiz) -> None:
        def view(questions: tuple[QuizQuestionView, ...], answered: tuple[tuple[int, tuple[int, ...]], ...] = ()) -> QuizStarted:
            return QuizStarted(QuizView(
                id=quiz.id, kind=quiz.kind, anonymous=quiz.anonymous, started_at=quiz.started_at,
                deadline=quiz.deadline, time_limit_s=quiz.time_limit_s, open=quiz.open_at(self._clock()),
                questions=questions, answered=answered,
            ))

        if person.role is Role.TRAINEE:
            taker = quiz.taker(_identity(person), person.name)
            shown = tuple(
                QuizQuestionView(quiz.questions[i].kind, quiz.questions[i].text,
                                 shown_options(quiz.questions[i], taker.paper.options[i]))
                for i in taker.paper.order
            )
            person.outbox.send(view(shown, tuple(sorted(quiz.answered_on_paper(taker.identity).items()))))
            return
        lecturer = person.role is Role.LECTURER
        person.outbox.send(view(tuple(
            QuizQuestionView(q.kind, q.text, q.options,
                             q.correct if lecturer and quiz.kind is QuizKind.QUIZ else None)
            for q in quiz.questions
        )))
        if lecturer:
            person.outbox.send(self._results(quiz))

    def _results(self, quiz: LiveQuiz) -> QuizResults:
        results = quiz.results()
        if quiz.anonymous:
            results = tuple(replace(r, identity="", name="") for r in results)
        return QuizResults(quiz.id, quiz.open_at(self._clock()), quiz.counts(), results)

    def _send_release(self, person: QuizParticipant, quiz: LiveQuiz) -> None:
        counts = quiz.counts()
        if quiz.kind is QuizKind.POLL:
            person.outbox.send(QuizReleased(quiz.id, counts, None))
            return
        if person.role is not Role.TRAINEE:
            return
        taker = quiz.takers.get(_identity(person))
        if taker is None:
            return
        correct = tuple(
            taker.paper.shown_choice(i, quiz.questions[i].correct) if quiz.questions[i].kind is not Kind.SHORT else ()
            for i in taker.paper.order
        )
        person.outbox.send(QuizReleased(quiz.id, (), quiz.result_of(taker), correct))

    def _results_soon(self, quiz: LiveQuiz) -> None:
        """Coalesce: 200 answers a second make a few results frames, not 200."""
        if self._results_due:
            return
        self._results_due = True

        def send() -> None:
            self._results_due = False
            if self.current is quiz:
                self._to_lecturers(self._results(quiz))

        self._timer(RESULTS_EVERY_S, send)

    def _to_lecturers(self, event: QuizResults) -> None:
        for person in self._participants():
            if person.role is Role.LECTURER:
                person.outbox.send(event)

    def _expire(self, quiz: LiveQuiz) -> None:
        if self.current is quiz:
            self._finish(quiz)

    def _finish(self, quiz: LiveQuiz) -> None:
        if not quiz.close(self._clock()):
            return
        for person in self._participants():
            person.outbox.send(QuizEnded(quiz.id))
        self._to_lecturers(self._results(quiz))
        if self._bank is not None:
            task = asyncio.get_running_loop().create_task(self._record(quiz))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _record(self, quiz: LiveQuiz) -> None:
        assert self._bank is not None
        try:
            await self._bank.record(self.class_id, quiz, self._clock())
        except Exception:  # the class carries on; the log says what was lost
            logger.exception("could not keep the results of quiz %s of class %s", quiz.id, self.class_id)


def _identity(person: QuizParticipant) -> str:
    return person.identity or person.id


def _lecturer_only(person: QuizParticipant, what: str) -> None:
    if person.role is not Role.LECTURER:
        raise NotAllowed(f"only the lecturer can {what}")
