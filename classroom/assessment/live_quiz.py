"""A poll or quiz running in a live class: its questions, each trainee's paper, their
answers, the counts and the scores. Pure (time comes in as arguments), so that timing,
refusals and scoring are tested without a server; classroom/live_class.py runs it and tells
people what happened.

The server holds the clock: an answer is taken only while the quiz is open (before its
deadline and before the lecturer ends it), once per question and person, and only as the
answering trainee's own (their identity comes from their link, never from the message).
Each trainee answers their own paper (questions and options shuffled with a seed from the
quiz id and their identity, so a reload shows the same paper).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from classroom.assessment.errors import AlreadyAnswered, InvalidQuiz, InvalidQuizAnswer, QuizClosed
from classroom.assessment.papers import DrawRule, Paper, paper, seed_for, to_original
from classroom.assessment.questions import (
    OPTIONS_MAX,
    OPTIONS_MIN,
    Answer,
    Kind,
    Question,
    answer_problem,
    check,
    score,
)

TIME_LIMIT_MIN_S = 5
TIME_LIMIT_MAX_S = 4 * 3600
QUESTIONS_MAX = 50


class QuizKind(str, enum.Enum):
    POLL = "poll"  # opinions: no right answer, no score
    QUIZ = "quiz"  # graded: each trainee gets a score


@dataclass(frozen=True)
class QuizSpec:
    """What the lecturer launches: questions typed on the spot, chosen from the course's
    bank by id, or drawn from it by rules."""

    kind: QuizKind
    time_limit_s: int
    questions: tuple[Question, ...] = ()
    question_ids: tuple[int, ...] = ()
    draw: tuple[DrawRule, ...] = ()
    anonymous: bool = False
    shuffle: bool = True


@dataclass
class Taker:
    identity: str
    name: str
    paper: Paper
    answers: dict[int, Answer] = field(default_factory=dict)  # the quiz's question index → answer


@dataclass(frozen=True)
class TakerResult:
    identity: str
    name: str
    answered: int
    correct: int
    score: float  # 0..100 of the quiz's questions


def check_spec_questions(kind: QuizKind, questions: Sequence[Question]) -> None:
    """InvalidQuiz unless `questions` can be asked live in a `kind`."""
    if not questions:
        raise InvalidQuiz("a quiz or poll needs at least one question")
    if len(questions) > QUESTIONS_MAX:
        raise InvalidQuiz(f"at most {QUESTIONS_MAX} questions at once")
    for n, q in enumerate(questions, start=1):
        if q.kind is Kind.SHORT:
            raise InvalidQuiz(f"question {n}: short answers are graded later, not live")
        if kind is QuizKind.POLL:
            if q.kind in (Kind.SINGLE, Kind.MULTIPLE) and not OPTIONS_MIN <= len(q.options) <= OPTIONS_MAX:
                raise InvalidQuiz(f"question {n}: a poll question has {OPTIONS_MIN} to {OPTIONS_MAX} options")
            if not q.text.strip() or any(not o.strip() for o in q.options):
                raise InvalidQuiz(f"question {n}: the question or an option is empty")
            continue
        problems = check(q, f"question {n}")
        if problems:
            raise InvalidQuiz("; ".join(f"{p.where}: {p.message}" for p in problems))


class LiveQuiz:
    def __init__(
        self,
        quiz_id: str,
        kind: QuizKind,
        questions: Sequence[Question],
        started_at: datetime,
        time_limit_s: int,
        *,
        anonymous: bool = False,
        shuffle: bool = True,
        question_ids: Sequence[int | None] = (),
    ):
        if not TIME_LIMIT_MIN_S <= time_limit_s <= TIME_LIMIT_MAX_S:
            raise InvalidQuiz(f"the time limit is {TIME_LIMIT_MIN_S} s to {TIME_LIMIT_MAX_S} s")
        check_spec_questions(kind, questions)
        self.id = quiz_id
        self.kind = kind
        self.questions = tuple(questions)
        self.question_ids = tuple(question_ids) or (None,) * len(self.questions)
        self.started_at = started_at
        self.time_limit_s = time_limit_s
        self.deadline = started_at + timedelta(seconds=time_limit_s)
        self.anonymous = anonymous
        self.shuffle = shuffle
        self.takers: dict[str, Taker] = {}
        self.ended_at: datetime | None = None
        self.released = False

    def open_at(self, now: datetime) -> bool:
        return self.ended_at is None and now <= self.deadline

    def close(self, now: datetime) -> bool:
        """End the quiz (the lecturer, or the deadline); False if it had ended already."""
        if self.ended_at is not None:
            return False
        self.ended_at = min(now, self.deadline)
        return True

    def taker(self, identity: str, name: str) -> Taker:
        """The trainee's taker record, created with their paper the first time."""
        taker = self.takers.get(identity)
        if taker is None:
            taker = Taker(identity, name, paper(self.questions, seed_for(self.id, identity), self.shuffle))
            self.takers[identity] = taker
        return taker

    def answer(self, identity: str, name: str, shown_question: int, shown: Answer, now: datetime) -> int:
        """Take a trainee's answer to a question as shown on their paper; the quiz's index of
        the question. QuizClosed, AlreadyAnswered or InvalidQuizAnswer otherwise."""
        if not self.open_at(now):
            raise QuizClosed()
        taker = self.taker(identity, name)
        try:
            index, answer = to_original(taker.paper, self.questions, shown_question, shown)
        except IndexError:
            raise InvalidQuizAnswer("the answer names a question or option not on your paper") from None
        problem = answer_problem(self.questions[index], answer)
        if problem is not None or answer == ():
            raise InvalidQuizAnswer(f"the answer does not fit the question ({problem or 'empty'})")
        if index in taker.answers:
            raise AlreadyAnswered()
        taker.answers[index] = answer
        return index

    def answered_on_paper(self, identity: str) -> dict[int, tuple[int, ...]]:
        """The trainee's answers so far, as shown on their paper (shown question → shown options)."""
        taker = self.takers.get(identity)
        if taker is None:
            return {}
        shown: dict[int, tuple[int, ...]] = {}
        for position, index in enumerate(taker.paper.order):
            answer = taker.answers.get(index)
            if answer is not None and not isinstance(answer, str):
                shown[position] = taker.paper.shown_choice(index, answer)
        return shown

    def counts(self) -> tuple[tuple[int, ...], ...]:
        """Per question (the quiz's order), how many chose each option (original order)."""
        result = []
        for index, q in enumerate(self.questions):
            tally = [0] * (2 if q.kind is Kind.TRUE_FALSE else len(q.options))
            for taker in self.takers.values():
                answer = taker.answers.get(index)
                if answer is not None and not isinstance(answer, str):
                    for option in answer:
                        tally[option] += 1
            result.append(tuple(tally))
        return tuple(result)

    def result_of(self, taker: Taker) -> TakerResult:
        correct = 0
        if self.kind is QuizKind.QUIZ:
            for index, q in enumerate(self.questions):
                correct += int(score(q, taker.answers.get(index)) == 1.0)
        percent = round(100 * correct / len(self.questions), 1) if self.kind is QuizKind.QUIZ else 0.0
        return TakerResult(taker.identity, taker.name, len(taker.answers), correct, percent)

    def results(self) -> tuple[TakerResult, ...]:
        """Every trainee who opened their paper, best score first then by name."""
        found = [self.result_of(t) for t in self.takers.values()]
        return tuple(sorted(found, key=lambda r: (-r.score, r.name)))

    def answered_by(self) -> int:
        return sum(1 for t in self.takers.values() if t.answers)
