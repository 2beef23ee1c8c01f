"""A course with a roster, written straight to the database (until the course service lands,
tests of what hangs off a course make their own)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from classroom.courses.models import CourseRecord, TraineeRecord


def make_course(
    db: sessionmaker[Session], course_id: str = "c1", trainees: dict[str, str] | None = None
) -> str:
    with db.begin() as session:
        session.add(CourseRecord(id=course_id, title="Bồi dưỡng lý luận chính trị", code=None,
                                 created_at=datetime.now(UTC)))
        session.flush()
        for external_id, name in (trainees or {}).items():
            session.add(TraineeRecord(course_id=course_id, external_id=external_id, name=name, unit=None))
    return course_id
