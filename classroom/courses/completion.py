"""A course's completion rule, and what it says about one trainee.

The rule has up to three parts, each optional: at least P % of each class's scheduled time, at
least N minutes in all, and a minimum quiz score (the score comes from a `ScoreProvider`, so
that quizzes plug in without this module knowing them). Pure: the caller has measured each
class's scheduled and attended seconds. A trainee who has not completed is told why, part by
part (classes missed or short, minutes short, the score), so the training office can answer
them. While classes are still to come, a trainee not yet failed is `in_progress`.

When the course says watching counts, a class the trainee missed (or was short in) is made up
by watching its recordings: the class then counts the time watched (up to the class's time)
when that is more than the time attended, so the per-class part asks the same percent of the
recording as of the class; the reasons say which classes were made up by watching
(`class_watched`, a note that does not keep anyone from completing).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from classroom.errors import InvalidCourse

Status = Literal["completed", "not_completed", "in_progress", "no_rule"]
ReasonCode = Literal[
    "class_missed", "class_short", "class_watched", "total_short", "quiz_missing", "quiz_short"
]
NOTES: frozenset[ReasonCode] = frozenset({"class_watched"})  # reasons that fail nothing


class CompletionRule(BaseModel):
    """Each part None when the course does not require it."""

    min_percent_per_class: float | None = Field(default=None, gt=0, le=100)
    min_total_minutes: int | None = Field(default=None, gt=0, le=100_000)
    min_quiz_score: float | None = Field(default=None, ge=0, le=100)

    @property
    def empty(self) -> bool:
        return (
            self.min_percent_per_class is None
            and self.min_total_minutes is None
            and self.min_quiz_score is None
        )

    def describe(self) -> str:
        """The rule in English (the exports word it in their language themselves)."""
        parts = []
        if self.min_percent_per_class is not None:
            parts.append(f"at least {self.min_percent_per_class:g} % of each class's time")
        if self.min_total_minutes is not None:
            parts.append(f"at least {self.min_total_minutes} minutes in all")
        if self.min_quiz_score is not None:
            parts.append(f"a quiz score of at least {self.min_quiz_score:g}")
        return "; ".join(parts) or "no completion rule"


class ScoreProvider(Protocol):
    """Where quiz scores come from (a quiz module); None when the trainee has none yet."""

    def score(self, course_id: str, external_id: str) -> float | None: ...


class NoScores:
    """Until quizzes exist: nobody has a score."""

    def score(self, course_id: str, external_id: str) -> float | None:
        return None


@dataclass(frozen=True)
class HeldClass:
    """One trainee's attendance of one class that has taken place."""

    class_id: str
    title: str
    scheduled_seconds: int
    attended_seconds: int
    watched_seconds: int = 0  # of the class's recordings, ranges merged

    def counted_seconds(self, watching_counts: bool) -> int:
        """What the rule counts: attended, or watched (up to the class's time) if more."""
        if not watching_counts:
            return self.attended_seconds
        return max(self.attended_seconds, min(self.watched_seconds, self.scheduled_seconds))


class Reason(BaseModel):
    """Why a trainee has not (yet) completed; the fields that apply to `code` are set."""

    code: ReasonCode
    class_id: str | None = None
    title: str | None = None
    minutes: int | None = None  # what they have
    required_minutes: int | None = None
    watched_minutes: int | None = None  # of the class's recordings, when watching counts
    score: float | None = None
    required_score: float | None = None


class Completion(BaseModel):
    status: Status
    reasons: list[Reason]


def class_required_seconds(rule: CompletionRule, scheduled_seconds: int) -> int | None:
    """The seconds of a class the per-class part asks for (rounded up), None without it."""
    if rule.min_percent_per_class is None:
        return None
    return -(-round(rule.min_percent_per_class * scheduled_seconds * 1000) // 100_000)


def meets_class(rule: CompletionRule, scheduled_seconds: int, attended_seconds: int) -> bool | None:
    required = class_required_seconds(rule, scheduled_seconds)
    return None if required is None else attended_seconds >= required


def made_up_by_watching(rule: CompletionRule, c: HeldClass) -> bool:
    """Short of the per-class part by attending, but not once watching counts."""
    required = class_required_seconds(rule, c.scheduled_seconds)
    return required is not None and c.attended_seconds < required <= c.counted_seconds(True)


def _minutes(seconds: int) -> int:
    return seconds // 60


def evaluate(
    rule: CompletionRule,
    held: Sequence[HeldClass],
    upcoming: int,
    score: float | None,
    watching_counts: bool = False,
) -> Completion:
    """What the rule says about a trainee who attended `held` with `upcoming` classes to come;
    with `watching_counts`, watching a class's recordings makes up for missing it."""
    if rule.empty:
        return Completion(status="no_rule", reasons=[])
    reasons: list[Reason] = []
    final = False  # a reason no class to come can undo
    if rule.min_percent_per_class is not None:
        for c in held:
            required = class_required_seconds(rule, c.scheduled_seconds)
            assert required is not None
            if c.counted_seconds(watching_counts) < required:
                final = True
                reasons.append(_class_reason(c, required, watching_counts))
            elif made_up_by_watching(rule, c):
                reasons.append(_watched_note(c, required))
    if rule.min_total_minutes is not None:
        total = sum(c.counted_seconds(watching_counts) for c in held)
        if total < rule.min_total_minutes * 60:
            final = final or upcoming == 0
            reasons.append(Reason(code="total_short", minutes=_minutes(total),
                                  required_minutes=rule.min_total_minutes))  # fmt: skip
            if rule.min_percent_per_class is None:  # say which classes they missed
                reasons += [_class_reason(c, None, watching_counts) for c in held
                            if c.counted_seconds(watching_counts) == 0]  # fmt: skip
    if rule.min_quiz_score is not None:
        if score is None:
            final = final or upcoming == 0
            reasons.append(Reason(code="quiz_missing", required_score=rule.min_quiz_score))
        elif score < rule.min_quiz_score:
            final = final or upcoming == 0
            reasons.append(Reason(code="quiz_short", score=score,
                                  required_score=rule.min_quiz_score))  # fmt: skip
    failing = [r for r in reasons if r.code not in NOTES]
    if not failing and upcoming == 0:
        return Completion(status="completed", reasons=reasons)
    if final:
        return Completion(status="not_completed", reasons=reasons)
    return Completion(status="in_progress", reasons=reasons)


def _class_reason(c: HeldClass, required: int | None, watching_counts: bool) -> Reason:
    return Reason(
        code="class_missed" if c.attended_seconds == 0 else "class_short",
        class_id=c.class_id,
        title=c.title,
        minutes=_minutes(c.attended_seconds),
        required_minutes=None if required is None else -(-required // 60),
        watched_minutes=_minutes(c.watched_seconds) if watching_counts and c.watched_seconds else None,
    )


def _watched_note(c: HeldClass, required: int) -> Reason:
    """A class missed (or short) but made up by watching its recordings."""
    return Reason(
        code="class_watched",
        class_id=c.class_id,
        title=c.title,
        minutes=_minutes(c.attended_seconds),
        required_minutes=-(-required // 60),
        watched_minutes=_minutes(c.watched_seconds),
    )


def rule_of(
    min_percent_per_class: float | None,
    min_total_minutes: int | None,
    min_quiz_score: float | None,
) -> CompletionRule:
    """A rule from stored or typed values; InvalidCourse naming the bad part."""
    try:
        return CompletionRule(
            min_percent_per_class=min_percent_per_class,
            min_total_minutes=min_total_minutes,
            min_quiz_score=min_quiz_score,
        )
    except ValueError as e:
        raise InvalidCourse(f"completion rule: {e}") from None
