"""The course tables: a course and its roster.

A course (khóa học) groups classes and holds the trainees the school enrolled, each under the
id the school's training-management software gives them (``external_id``). Everything that
counts a trainee across classes (attendance reports, quiz results, e-lectures watched) keys on
``(course_id, external_id)``, the identity a personal link carries.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column

from classroom.models import EXTERNAL_ID_MAX, NAME_MAX, TITLE_MAX, Base, UtcDateTime

COURSE_ID_MAX = 16
COURSE_CODE_MAX = 64
UNIT_MAX = 200
TIME_ZONE_MAX = 64
DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"


class CourseRecord(Base):
    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(COURSE_ID_MAX), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    code: Mapped[str | None] = mapped_column(String(COURSE_CODE_MAX))  # the school's own code
    time_zone: Mapped[str] = mapped_column(String(TIME_ZONE_MAX), default=DEFAULT_TIME_ZONE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # The completion rule (classroom/courses/completion.py); every part optional (nullable, so
    # a database from before them gains the columns and keeps its rows).
    min_percent_per_class: Mapped[float | None] = mapped_column(Float, nullable=True)
    min_total_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    min_quiz_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Recording and the e-lecture library (docs/recording.md): record every class of the course
    # from its start; delete its recordings after so many days (None: keep them); count watching
    # a class's recording, for a trainee who missed that class, towards the completion rule.
    record_classes: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recording_retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    watching_counts: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class TraineeRecord(Base):
    """One trainee on a course's roster."""

    __tablename__ = "course_trainees"

    course_id: Mapped[str] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    unit: Mapped[str | None] = mapped_column(String(UNIT_MAX))  # đơn vị công tác
