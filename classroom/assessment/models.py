"""The assessment tables: a course's question bank, its tests (module-end tests and live
quizzes) and each trainee's attempt at one.

Questions keep their content as the bank holds it; an attempt keeps the question ids and
option orders it was drawn with (from its seed), the answers as given, and the marks, so a
result can always be explained question by question, even after the bank is edited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom.assessment.questions import TOPIC_MAX
from classroom.models import CLASS_ID_MAX, EXTERNAL_ID_MAX, NAME_MAX, TITLE_MAX, Base, UtcDateTime

TEXT_KEY_MAX = 64  # a sha256 in hex
TEST_ID_MAX = 16


class QuestionRecord(Base):
    __tablename__ = "bank_questions"
    __table_args__ = (UniqueConstraint("course_id", "text_key"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(TEXT_KEY_MAX))  # of the normalised text: no duplicates
    options: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[list[int]] = mapped_column(JSON)
    accepted: Mapped[list[str]] = mapped_column(JSON)
    topic: Mapped[str] = mapped_column(String(TOPIC_MAX), index=True)
    difficulty: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TestRecord(Base):
    """A module-end test (``kind`` "test") or a quiz launched in a live class ("quiz")."""

    __tablename__ = "assessment_tests"

    id: Mapped[str] = mapped_column(String(TEST_ID_MAX), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    class_id: Mapped[str | None] = mapped_column(String(CLASS_ID_MAX), nullable=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    # The composition: fixed question ids, or a draw rule ([{topic, difficulty, count}...]).
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    draw: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    opens_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closes_at: Mapped[datetime] = mapped_column(UtcDateTime)
    time_limit_s: Mapped[int] = mapped_column(Integer)
    released: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AttemptRecord(Base):
    """One trainee's one attempt at a test: at most one per test and trainee."""

    __tablename__ = "assessment_attempts"
    __table_args__ = (UniqueConstraint("test_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    test_id: Mapped[str] = mapped_column(ForeignKey("assessment_tests.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(String(16), index=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    seed: Mapped[int] = mapped_column(Integer)
    question_ids: Mapped[list[int]] = mapped_column(JSON)  # in the order the trainee sees them
    option_orders: Mapped[list[list[int]]] = mapped_column(JSON)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # the questions as drawn
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # question id → answer, as given
    marks: Mapped[dict[str, float | None]] = mapped_column(JSON)  # question id → 0..1 or None
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deadline: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)  # 0..100 once all graded
