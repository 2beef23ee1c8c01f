"""The completion rule at its edges: exactly P % passes, a second less fails; minutes; scores."""

from __future__ import annotations

import pytest

from classroom.courses.completion import (
    CompletionRule,
    HeldClass,
    class_required_seconds,
    evaluate,
    rule_of,
)
from classroom.errors import InvalidCourse

HOUR = 3600


def held(attended: int, scheduled: int = 2 * HOUR, n: int = 1) -> HeldClass:
    return HeldClass(f"c{n}", f"Buổi {n}", scheduled, attended)


def test_percent_per_class_edge_is_inclusive() -> None:
    rule = CompletionRule(min_percent_per_class=80)
    assert class_required_seconds(rule, 2 * HOUR) == 5760
    assert evaluate(rule, [held(5760)], 0, None).status == "completed"
    short = evaluate(rule, [held(5759)], 0, None)
    assert short.status == "not_completed"
    assert [(r.code, r.class_id, r.minutes, r.required_minutes) for r in short.reasons] == [
        ("class_short", "c1", 95, 96)
    ]


def test_percent_rounds_the_required_time_up() -> None:
    rule = CompletionRule(min_percent_per_class=33.3)
    assert class_required_seconds(rule, 100) == 34  # 33.3 s is not enough
    assert evaluate(rule, [held(33, 100)], 0, None).status == "not_completed"
    assert evaluate(rule, [held(34, 100)], 0, None).status == "completed"


def test_a_missed_class_is_named_and_fails_for_good() -> None:
    rule = CompletionRule(min_percent_per_class=50)
    result = evaluate(rule, [held(HOUR, n=1), held(0, n=2)], 3, None)
    assert result.status == "not_completed"  # classes to come cannot undo a missed one
    assert [(r.code, r.title) for r in result.reasons] == [("class_missed", "Buổi 2")]


def test_total_minutes_edge_and_classes_to_come() -> None:
    rule = CompletionRule(min_total_minutes=90)
    assert evaluate(rule, [held(90 * 60)], 0, None).status == "completed"
    short = evaluate(rule, [held(90 * 60 - 1), held(0, n=2)], 0, None)
    assert short.status == "not_completed"
    assert [(r.code, r.minutes, r.required_minutes, r.class_id) for r in short.reasons] == [
        ("total_short", 89, 90, None), ("class_missed", 0, None, "c2")
    ]
    # Still short, but a class is still to come: not failed yet.
    assert evaluate(rule, [held(60 * 60)], 1, None).status == "in_progress"
    # Enough already, but a class is still to come: not completed until it is over.
    assert evaluate(rule, [held(2 * HOUR)], 1, None).status == "in_progress"


class Scores:
    def __init__(self, scores: dict[str, float]) -> None:
        self.scores = scores

    def score(self, course_id: str, external_id: str) -> float | None:
        return self.scores.get(external_id)


def test_quiz_score_from_a_provider() -> None:
    rule = CompletionRule(min_percent_per_class=80, min_quiz_score=5)
    provider = Scores({"HV1": 5.0, "HV2": 4.5})
    ok = [held(2 * HOUR)]
    assert evaluate(rule, ok, 0, provider.score("k", "HV1")).status == "completed"
    low = evaluate(rule, ok, 0, provider.score("k", "HV2"))
    assert (low.status, [(r.code, r.score, r.required_score) for r in low.reasons]) == (
        "not_completed", [("quiz_short", 4.5, 5.0)]
    )
    none = evaluate(rule, ok, 0, provider.score("k", "HV3"))
    assert (none.status, none.reasons[0].code) == ("not_completed", "quiz_missing")
    assert evaluate(rule, ok, 1, None).status == "in_progress"


def test_all_parts_at_once_give_every_reason() -> None:
    rule = CompletionRule(min_percent_per_class=80, min_total_minutes=300, min_quiz_score=7)
    result = evaluate(rule, [held(HOUR), held(2 * HOUR, n=2)], 0, 6.0)
    assert [r.code for r in result.reasons] == ["class_short", "total_short", "quiz_short"]


def test_no_rule_and_bad_rules() -> None:
    assert evaluate(CompletionRule(), [held(0)], 0, None).status == "no_rule"
    for bad in ((0, None, None), (101, None, None), (None, 0, None), (None, None, -1)):
        with pytest.raises(InvalidCourse):
            rule_of(*bad)


def watched(attended: int, seen: int, scheduled: int = 2 * HOUR, n: int = 1) -> HeldClass:
    return HeldClass(f"c{n}", f"Buổi {n}", scheduled, attended, seen)


def test_watching_makes_up_for_a_missed_class_only_when_the_course_says_so() -> None:
    rule = CompletionRule(min_percent_per_class=80)  # 5760 s of a 2-hour class
    classes = [held(2 * HOUR, n=1), watched(0, 5760, n=2)]
    assert evaluate(rule, classes, 0, None).status == "not_completed"  # watching does not count
    made_up = evaluate(rule, classes, 0, None, watching_counts=True)
    assert made_up.status == "completed"
    assert [(r.code, r.class_id, r.minutes, r.watched_minutes, r.required_minutes)
            for r in made_up.reasons] == [("class_watched", "c2", 0, 96, 96)]  # fmt: skip
    # A second less of the recording than the class asks for is not enough, and says so.
    short = evaluate(rule, [watched(0, 5759, n=2)], 0, None, watching_counts=True)
    assert short.status == "not_completed"
    assert [(r.code, r.watched_minutes) for r in short.reasons] == [("class_missed", 95)]


def test_attending_part_and_watching_the_rest_is_not_added_up() -> None:
    """The class counts the better of the two, not their sum: watching the minutes one missed
    is the same percent of the recording as of the class, not a top-up."""
    rule = CompletionRule(min_percent_per_class=80)
    assert evaluate(rule, [watched(3000, 3000)], 0, None, True).status == "not_completed"
    assert evaluate(rule, [watched(3000, 5760)], 0, None, True).status == "completed"


def test_watching_counts_towards_the_total_up_to_the_class_time() -> None:
    rule = CompletionRule(min_total_minutes=180)
    classes = [held(2 * HOUR, n=1), watched(0, 5 * HOUR, n=2)]  # replays beyond the class count once
    assert evaluate(rule, classes, 0, None, True).status == "completed"
    short = evaluate(rule, [held(HOUR, n=1), watched(0, HOUR, n=2)], 0, None, True)
    assert [(r.code, r.minutes) for r in short.reasons] == [("total_short", 120)]
    assert evaluate(rule, [held(HOUR, n=1), watched(0, 5 * HOUR, n=2)], 0, None).status == "not_completed"
