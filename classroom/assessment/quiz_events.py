"""What a live class tells participants about a poll or quiz (part of classroom/events.py's
ClassEvent union). Each recipient gets their own view: a trainee their shuffled paper and
their answers so far, lecturers the questions in order with the right answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from classroom.assessment.live_quiz import QuizKind, TakerResult
from classroom.assessment.questions import Kind


@dataclass(frozen=True)
class QuizQuestionView:
    kind: Kind
    text: str
    options: tuple[str, ...]  # as this recipient sees them
    correct: tuple[int, ...] | None = None  # lecturers only


@dataclass(frozen=True)
class QuizView:
    id: str
    kind: QuizKind
    anonymous: bool
    started_at: datetime
    deadline: datetime
    time_limit_s: int
    open: bool
    questions: tuple[QuizQuestionView, ...]
    answered: tuple[tuple[int, tuple[int, ...]], ...] = ()  # shown question → shown options


@dataclass(frozen=True)
class QuizStarted:
    quiz: QuizView


@dataclass(frozen=True)
class QuizAnswerTaken:
    """To the trainee: their answer to the question shown at `question` is saved."""

    quiz_id: str
    question: int


@dataclass(frozen=True)
class QuizResults:
    """To lecturers, as answers come in: the counts per option and each trainee's score."""

    quiz_id: str
    open: bool
    counts: tuple[tuple[int, ...], ...]
    results: tuple[TakerResult, ...]


@dataclass(frozen=True)
class QuizEnded:
    quiz_id: str


@dataclass(frozen=True)
class QuizReleased:
    """The lecturer released the results: a trainee gets their own score and the right answers
    (as their paper shows them); a poll's counts go to everyone."""

    quiz_id: str
    counts: tuple[tuple[int, ...], ...]
    result: TakerResult | None
    correct: tuple[tuple[int, ...], ...] = ()  # per shown question, the right options as shown
