"""The question model: what a bank holds, whatever file it came from.

A question is pure data (no database, no I/O) so that every import format, the live quiz and
the module-end test share one definition of a valid question and one rule for scoring it.
Choice questions keep their options in the author's order; each trainee sees them shuffled
(classroom/assessment/shuffle.py), and answers name options by their index in this order.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field

TEXT_MAX = 2000
OPTION_MAX = 500
TOPIC_MAX = 100
OPTIONS_MIN = 2
OPTIONS_MAX = 10
ACCEPTED_MAX = 10
LETTERS = "ABCDEFGHIJ"  # OPTIONS_MAX letters


class Kind(str, enum.Enum):
    SINGLE = "single"  # one correct option
    MULTIPLE = "multiple"  # one or more correct options, all must be chosen
    TRUE_FALSE = "true_false"
    SHORT = "short"  # free text, graded by the lecturer


class Difficulty(str, enum.Enum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True)
class Question:
    """One question. `correct` holds option indexes (choice kinds) or ``(0,)``/``(1,)`` for
    true/false (0 = true); `accepted` holds model answers of a short-answer question, shown
    to the lecturer who grades it."""

    kind: Kind
    text: str
    options: tuple[str, ...] = ()
    correct: tuple[int, ...] = ()
    accepted: tuple[str, ...] = ()
    topic: str = ""
    difficulty: Difficulty = Difficulty.MEDIUM

    @property
    def auto_graded(self) -> bool:
        return self.kind is not Kind.SHORT

    def answer_true(self) -> bool:
        """For a true/false question: whether the statement is true."""
        return self.correct == (0,)


@dataclass(frozen=True)
class Problem:
    """Why a question (or a row of a file) cannot be imported: a stable `code` and an
    English message; `where` names the row or question (``"row 4"``, ``"question 2"``)."""

    where: str
    code: str
    message: str


@dataclass
class ImportResult:
    """What a parser read: the valid questions and, for every other one, its problems."""

    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    places: list[str] = field(default_factory=list)  # where each question came from

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, where: str, question: Question | None, problems: list[Problem]) -> None:
        """Keep `question` if it has no problems (checking duplicates of earlier ones)."""
        if question is not None and not problems:
            problems = check(question, where)
        if question is not None and not problems:
            key = normal_text(question.text)
            for place, earlier in zip(self.places, self.questions, strict=True):
                if normal_text(earlier.text) == key:
                    problems = [Problem(where, "duplicate", f"the same question as {place}")]
                    break
        if problems:
            self.problems.extend(problems)
        elif question is not None:
            self.questions.append(question)
            self.places.append(where)


def normal_text(text: str) -> str:
    """The text two questions are compared by: NFC, case-folded, whitespace collapsed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


def clean(text: str) -> str:
    """Text as stored: NFC (Vietnamese typed on different keyboards compares equal), trimmed."""
    return unicodedata.normalize("NFC", text).strip()


def check(q: Question, where: str = "question") -> list[Problem]:
    """Every problem of `q`, empty when it is a valid question."""
    found: list[Problem] = []

    def bad(code: str, message: str) -> None:
        found.append(Problem(where, code, message))

    if not q.text.strip():
        bad("missing_text", "the question has no text")
    elif len(q.text) > TEXT_MAX:
        bad("text_too_long", f"the question is longer than {TEXT_MAX} characters")
    if len(q.topic) > TOPIC_MAX:
        bad("topic_too_long", f"the topic is longer than {TOPIC_MAX} characters")
    if q.kind in (Kind.SINGLE, Kind.MULTIPLE):
        if len(q.options) < OPTIONS_MIN:
            bad("too_few_options", f"a choice question needs at least {OPTIONS_MIN} options")
        if len(q.options) > OPTIONS_MAX:
            bad("too_many_options", f"a question has at most {OPTIONS_MAX} options")
        if any(not o.strip() for o in q.options):
            bad("empty_option", "an option is empty")
        if any(len(o) > OPTION_MAX for o in q.options):
            bad("option_too_long", f"an option is longer than {OPTION_MAX} characters")
        if len({normal_text(o) for o in q.options}) != len(q.options):
            bad("duplicate_option", "two options have the same text")
        if not q.correct:
            bad("missing_answer", "the correct answer is not given")
        elif any(i < 0 or i >= len(q.options) for i in q.correct):
            bad("answer_not_an_option", "the correct answer names an option the question lacks")
        elif q.kind is Kind.SINGLE and len(q.correct) != 1:
            bad("several_answers", "a single-choice question has exactly one correct option")
        if len(set(q.correct)) != len(q.correct):
            bad("duplicate_answer", "the correct answer names an option twice")
    elif q.kind is Kind.TRUE_FALSE:
        if q.correct not in ((0,), (1,)):
            bad("missing_answer", "a true/false question needs its answer: true or false")
        if q.options:
            bad("options_not_allowed", "a true/false question has no options")
    else:
        if q.options or q.correct:
            bad("options_not_allowed", "a short-answer question has no options")
        if len(q.accepted) > ACCEPTED_MAX:
            bad("too_many_answers", f"a question has at most {ACCEPTED_MAX} model answers")
        if any(len(a) > OPTION_MAX for a in q.accepted):
            bad("option_too_long", f"a model answer is longer than {OPTION_MAX} characters")
    return found


# --- answers and scoring -------------------------------------------------------------------

Answer = tuple[int, ...] | str
"""A trainee's answer: chosen option indexes (true/false: ``(0,)`` true, ``(1,)`` false) or
the text of a short answer."""


def answer_problem(q: Question, answer: Answer) -> str | None:
    """Why `answer` cannot be an answer to `q` (a code), or None."""
    if q.kind is Kind.SHORT:
        if not isinstance(answer, str):
            return "answer_shape"
        return "answer_too_long" if len(answer) > TEXT_MAX else None
    if isinstance(answer, str):
        return "answer_shape"
    size = 2 if q.kind is Kind.TRUE_FALSE else len(q.options)
    if len(set(answer)) != len(answer) or any(i < 0 or i >= size for i in answer):
        return "answer_not_an_option"
    if q.kind is not Kind.MULTIPLE and len(answer) > 1:
        return "answer_shape"
    return None


def score(q: Question, answer: Answer | None) -> float | None:
    """The fraction (0..1) of the question's point `answer` earns; None when a person must
    grade it (a non-empty short answer). Multiple choice earns the point only when exactly
    the correct options are chosen: partial credit invites ticking every box."""
    if answer is None or answer == () or answer == "":
        return 0.0
    if q.kind is Kind.SHORT:
        return None
    return 1.0 if tuple(sorted(answer)) == tuple(sorted(q.correct)) else 0.0
