"""Quiz scores for the completion rule, from the course's module-end tests.

A trainee's score is their **lowest** graded score over the course's module-end tests (kind
"test"; the quizzes launched in a live class are practice and do not count): the rule "a
score of at least S" then means at least S in every test. A test they have not taken, or
whose marking is not finished, gives no score yet (`quiz_missing`). Scores are 0..100.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment.models import AttemptRecord, TestRecord

COUNTED_KIND = "test"


class ModuleTestScores:
    """A `ScoreProvider` reading the assessment tables."""

    def __init__(self, db: sessionmaker[Session]) -> None:
        self._db = db

    def score(self, course_id: str, external_id: str) -> float | None:
        with self._db() as session:
            tests = session.scalars(
                select(TestRecord.id).where(
                    TestRecord.course_id == course_id, TestRecord.kind == COUNTED_KIND
                )
            ).all()
            if not tests:
                return None
            scores = dict(
                session.execute(
                    select(AttemptRecord.test_id, AttemptRecord.score).where(
                        AttemptRecord.test_id.in_(tests), AttemptRecord.external_id == external_id
                    )
                ).all()
            )
        graded = [scores.get(t) for t in tests]
        if any(g is None for g in graded):
            return None
        return min(float(g) for g in graded if g is not None)
