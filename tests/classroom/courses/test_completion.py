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
