"""A course with a roster for a class, written straight to the database (the course API is
another module's): what the check-in tests need."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from classroom.courses.models import CourseRecord, TraineeRecord
from classroom.models import ClassRecord

ROSTER = (
    ("HV-001", "Nguyễn Văn An", "Sở Nội vụ"),
    ("HV-002", "Trần Thị Bình", "UBND huyện Cao Lộc"),
    ("HV-003", "Đỗ Đức Dũng", "Sở Tài chính"),
    ("HV-004", "Nguyễn Thị Ánh", None),
)


def enrol(db: sessionmaker[Session], class_id: str, course_id: str = "k12", roster: tuple[tuple[str, str, str | None], ...] = ROSTER) -> None:
    with db.begin() as session:
        if session.get(CourseRecord, course_id) is None:
            session.add(CourseRecord(id=course_id, title="Bồi dưỡng lãnh đạo – Khóa 12", created_at=datetime.now(UTC)))
            session.flush()
            for external_id, name, unit in roster:
                session.add(TraineeRecord(course_id=course_id, external_id=external_id, name=name, unit=unit))
        session.execute(update(ClassRecord).where(ClassRecord.id == class_id).values(course_id=course_id))
