"""A course's question bank in the database: import a file, add, edit, delete, list, export.

Synchronous SQLAlchemy, one transaction per call (like classroom/classes.py): an import is
one transaction, so a refused file changes nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from classroom.assessment import formats
from classroom.assessment.errors import (
    BankImportRefused,
    CourseNotFound,
    InvalidQuestion,
    QuestionNotFound,
)
from classroom.assessment.models import QuestionRecord
from classroom.assessment.questions import (
    Difficulty,
    ImportResult,
    Kind,
    Problem,
    Question,
    check,
    normal_text,
)
from classroom.courses.models import CourseRecord

LIST_MAX = 5000


@dataclass(frozen=True)
class StoredQuestion:
    id: int
    question: Question


@dataclass(frozen=True)
class Imported:
    """What an import did: the new questions' ids and the problems of the ones left out."""

    ids: list[int]
    problems: list[Problem]


def text_key(text: str) -> str:
    return hashlib.sha256(normal_text(text).encode()).hexdigest()


def question_of(record: QuestionRecord) -> Question:
    return Question(
        kind=Kind(record.kind),
        text=record.text,
        options=tuple(record.options),
        correct=tuple(record.correct),
        accepted=tuple(record.accepted),
        topic=record.topic,
        difficulty=Difficulty(record.difficulty),
    )


def _fill(record: QuestionRecord, q: Question) -> None:
    record.kind = q.kind.value
    record.text = q.text
    record.text_key = text_key(q.text)
    record.options = list(q.options)
    record.correct = list(q.correct)
    record.accepted = list(q.accepted)
    record.topic = q.topic
    record.difficulty = q.difficulty.value


def _course(session: Session, course_id: str) -> None:
    if session.get(CourseRecord, course_id) is None:
        raise CourseNotFound(course_id)


def import_file(
    db: sessionmaker[Session],
    course_id: str,
    fmt: str,
    data: bytes,
    topic: str = "",
    keep_valid: bool = False,
    now: datetime | None = None,
) -> Imported:
    """Parse `data` and add its questions to the bank. BankImportRefused (nothing imported)
    when any question has a problem, unless `keep_valid`."""
    if len(data) > formats.MAX_FILE_BYTES:
        raise BankImportRefused(
            [Problem("file", "file_too_large", f"the file exceeds {formats.MAX_FILE_BYTES} bytes")]
        )
    return add_all(db, course_id, formats.parse(fmt, data, topic), keep_valid, now)


def add_all(
    db: sessionmaker[Session],
    course_id: str,
    result: ImportResult,
    keep_valid: bool = False,
    now: datetime | None = None,
) -> Imported:
    at = now or datetime.now(UTC)
    with db.begin() as session:
        _course(session, course_id)
        keys = [text_key(q.text) for q in result.questions]
        existing = set(
            session.scalars(
                select(QuestionRecord.text_key).where(
                    QuestionRecord.course_id == course_id, QuestionRecord.text_key.in_(keys)
                )
            )
        )
        problems = list(result.problems)
        fresh: list[Question] = []
        for where, q, key in zip(result.places, result.questions, keys, strict=True):
            if key in existing:
                problems.append(Problem(where, "duplicate", "the bank already holds this question"))
            else:
                fresh.append(q)
        if problems and not keep_valid:
            raise BankImportRefused(problems)
        records = []
        for q in fresh:
            record = QuestionRecord(course_id=course_id, created_at=at)
            _fill(record, q)
            records.append(record)
        session.add_all(records)
        session.flush()
        return Imported([r.id for r in records], problems)


def add(db: sessionmaker[Session], course_id: str, q: Question, now: datetime | None = None) -> int:
    """Add one question; InvalidQuestion if it is not valid or already in the bank."""
    problems = check(q)
    if problems:
        raise InvalidQuestion(problems)
    result = ImportResult()
    result.add("question", q, [])
    try:
        return add_all(db, course_id, result, now=now).ids[0]
    except BankImportRefused as e:
        raise InvalidQuestion(e.problems) from None


def update(db: sessionmaker[Session], course_id: str, question_id: int, q: Question) -> None:
    problems = check(q)
    if problems:
        raise InvalidQuestion(problems)
    with db.begin() as session:
        record = _record(session, course_id, question_id)
        clash = session.scalar(
            select(QuestionRecord.id).where(
                QuestionRecord.course_id == course_id,
                QuestionRecord.text_key == text_key(q.text),
                QuestionRecord.id != question_id,
            )
        )
        if clash is not None:
            raise InvalidQuestion(
                [Problem("question", "duplicate", f"the bank already holds this question ({clash})")]
            )
        _fill(record, q)


def delete(db: sessionmaker[Session], course_id: str, question_id: int) -> None:
    with db.begin() as session:
        session.delete(_record(session, course_id, question_id))


def get(db: sessionmaker[Session], course_id: str, question_id: int) -> StoredQuestion:
    with db() as session:
        record = _record(session, course_id, question_id)
        return StoredQuestion(record.id, question_of(record))


def _record(session: Session, course_id: str, question_id: int) -> QuestionRecord:
    record = session.get(QuestionRecord, question_id)
    if record is None or record.course_id != course_id:
        raise QuestionNotFound(question_id)
    return record


def questions(
    db: sessionmaker[Session],
    course_id: str,
    topic: str | None = None,
    difficulty: Difficulty | None = None,
    kinds: tuple[Kind, ...] | None = None,
    ids: list[int] | None = None,
) -> list[StoredQuestion]:
    """The bank's questions (filtered), oldest first."""
    with db() as session:
        _course(session, course_id)
        query = select(QuestionRecord).where(QuestionRecord.course_id == course_id)
        if topic is not None:
            query = query.where(QuestionRecord.topic == topic)
        if difficulty is not None:
            query = query.where(QuestionRecord.difficulty == difficulty.value)
        if kinds is not None:
            query = query.where(QuestionRecord.kind.in_([k.value for k in kinds]))
        if ids is not None:
            query = query.where(QuestionRecord.id.in_(ids))
        records = session.scalars(query.order_by(QuestionRecord.id).limit(LIST_MAX))
        return [StoredQuestion(r.id, question_of(r)) for r in records]


def topics(db: sessionmaker[Session], course_id: str) -> dict[str, int]:
    """How many questions each topic holds."""
    with db() as session:
        rows = session.execute(
            select(QuestionRecord.topic, func.count())
            .where(QuestionRecord.course_id == course_id)
            .group_by(QuestionRecord.topic)
        )
        return {topic: count for topic, count in rows}


def export(db: sessionmaker[Session], course_id: str, fmt: str, language: str = "vi") -> bytes:
    return formats.write(fmt, [s.question for s in questions(db, course_id)], language)
