"""Quiz scores for the completion rule come from the course's module-end tests: the lowest
graded score counts, a test not taken (or not yet marked) gives none, live quizzes do not count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment import models as assessment
from classroom.courses import catalog
from classroom.courses.completion import CompletionRule
from classroom.courses.roster_file import RosterRow
from classroom.reports.build import Reports
from classroom.reports.scores import ModuleTestScores

AT = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


def add_test(db: sessionmaker[Session], course_id: str, test_id: str, kind: str,
             scores: dict[str, float | None]) -> None:  # fmt: skip
    with db.begin() as s:
        s.add(assessment.TestRecord(id=test_id, course_id=course_id, kind=kind, class_id=None, title=test_id,
                         question_ids=[], draw=[], opens_at=AT, closes_at=AT + timedelta(hours=1),
                         time_limit_s=600, released=True, created_at=AT))  # fmt: skip
        s.flush()
        for who, score in scores.items():
            s.add(assessment.AttemptRecord(test_id=test_id, course_id=course_id, external_id=who, name=who, seed=1,
                                question_ids=[], option_orders=[], questions=[], answers={}, marks={},
                                started_at=AT, deadline=AT, closed_at=AT, score=score))  # fmt: skip


def test_scores_from_module_end_tests(db: sessionmaker[Session]) -> None:
    course = catalog.create(db, "Khóa 12", rule=CompletionRule(min_quiz_score=50))
    catalog.import_roster(db, course.id, [RosterRow(2, w, w, None) for w in ("HV1", "HV2", "HV3", "HV4")],
                          "replace")  # fmt: skip
    scores = ModuleTestScores(db)
    assert scores.score(course.id, "HV1") is None  # no test yet
    add_test(db, course.id, "t1", "test", {"HV1": 80.0, "HV2": 45.0, "HV3": 90.0, "HV4": None})
    add_test(db, course.id, "t2", "test", {"HV1": 60.0, "HV2": 95.0})
    add_test(db, course.id, "q1", "quiz", {"HV1": 0.0, "HV3": 0.0})  # practice: not counted
    assert [scores.score(course.id, w) for w in ("HV1", "HV2", "HV3", "HV4")] == [60.0, 45.0, None, None]

    report = Reports(db, "Asia/Ho_Chi_Minh", scores).course(course.id)
    verdicts = {t.external_id: t.completion for t in report.trainees}
    assert verdicts["HV1"] is not None and verdicts["HV1"].status == "completed"
    hv2 = verdicts["HV2"]
    assert hv2 is not None and hv2.status == "not_completed"
    assert [(r.code, r.score, r.required_score) for r in hv2.reasons] == [("quiz_short", 45.0, 50.0)]
    for who in ("HV3", "HV4"):  # a test not taken, a test not marked yet
        verdict = verdicts[who]
        assert verdict is not None and [r.code for r in verdict.reasons] == ["quiz_missing"]
