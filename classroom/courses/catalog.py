"""Courses as the training office runs them: create, list, look up, attach classes, set the
completion rule and the recording settings, import the roster.

Synchronous SQLAlchemy, one transaction per call, returning plain values (like
classroom/classes.py); async callers use ``run_in_threadpool``. A roster import is one
transaction: a file with one bad row changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from classroom.classes import ClassInfo, new_class_id
from classroom.courses.completion import CompletionRule, rule_of
from classroom.courses.models import DEFAULT_TIME_ZONE, CourseRecord, TraineeRecord
from classroom.courses.roster_file import RosterRow
from classroom.errors import ClassNotFound, CourseNotFound, InvalidCourse
from classroom.models import ClassRecord

ImportMode = Literal["replace", "merge"]
MAX_RETENTION_DAYS = 3650  # ten years: a longer wish is "keep them" (None)


class RecordingSettings(BaseModel):
    """How a course's classes are recorded and what their recordings count for
    (docs/recording.md): record every class from its start; delete recordings after so many
    days (None: keep them); count watching a missed class's recording towards completion."""

    model_config = ConfigDict(frozen=True)

    record_classes: bool = False
    recording_retention_days: int | None = Field(default=None, ge=1, le=MAX_RETENTION_DAYS)
    watching_counts: bool = False


class Trainee(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    external_id: str
    name: str
    unit: str | None


class CourseInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    code: str | None
    time_zone: str
    created_at: datetime
    rule: CompletionRule
    record_classes: bool = False
    recording_retention_days: int | None = None
    watching_counts: bool = False
    trainees: int
    class_ids: list[str]


class RosterImported(BaseModel):
    course_id: str
    added: int
    updated: int
    removed: int
    trainees: int


def time_zone(name: str) -> ZoneInfo:
    """The zone of an IANA name (Asia/Ho_Chi_Minh); InvalidCourse for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidCourse(
            f"time zone: {name!r} is not a time zone name such as {DEFAULT_TIME_ZONE}"
        ) from None


def _load(session: Session, course_id: str) -> CourseRecord:
    record = session.get(CourseRecord, course_id, populate_existing=True)
    if record is None:
        raise CourseNotFound(course_id)
    return record


def _rule(record: CourseRecord) -> CompletionRule:
    return CompletionRule(
        min_percent_per_class=record.min_percent_per_class,
        min_total_minutes=record.min_total_minutes,
        min_quiz_score=record.min_quiz_score,
    )


def recording_settings(record: CourseRecord) -> RecordingSettings:
    return RecordingSettings(
        record_classes=bool(record.record_classes),
        recording_retention_days=record.recording_retention_days,
        watching_counts=bool(record.watching_counts),
    )


def _checked(values: dict[str, object]) -> RecordingSettings:
    """Recording settings from typed or stored values; InvalidCourse naming the bad one."""
    try:
        return RecordingSettings.model_validate(values)
    except ValidationError as e:
        problem = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
        raise InvalidCourse(f"recording settings: {problem}") from None


def _info(session: Session, record: CourseRecord) -> CourseInfo:
    trainees = session.scalar(
        select(func.count()).select_from(TraineeRecord).where(TraineeRecord.course_id == record.id)
    )
    class_ids = session.scalars(
        select(ClassRecord.id)
        .where(ClassRecord.course_id == record.id)
        .order_by(ClassRecord.starts_at, ClassRecord.created_at)
    ).all()
    return CourseInfo(
        id=record.id,
        title=record.title,
        code=record.code,
        time_zone=record.time_zone,
        created_at=record.created_at,
        rule=_rule(record),
        **recording_settings(record).model_dump(),
        trainees=trainees or 0,
        class_ids=list(class_ids),
    )


def create(
    db: sessionmaker[Session],
    title: str,
    code: str | None = None,
    zone: str = DEFAULT_TIME_ZONE,
    rule: CompletionRule | None = None,
    now: datetime | None = None,
    recording: RecordingSettings | None = None,
) -> CourseInfo:
    """A new course; the caller has validated title and code lengths (the API's schemas)."""
    time_zone(zone)
    rule = rule or CompletionRule()
    settings = _checked((recording or RecordingSettings()).model_dump())
    with db.begin() as session:
        course_id = new_class_id()
        while session.get(CourseRecord, course_id) is not None:
            course_id = new_class_id()
        record = CourseRecord(
            id=course_id,
            title=title,
            code=code,
            time_zone=zone,
            created_at=now or datetime.now(UTC),
            min_percent_per_class=rule.min_percent_per_class,
            min_total_minutes=rule.min_total_minutes,
            min_quiz_score=rule.min_quiz_score,
            **settings.model_dump(),
        )
        session.add(record)
        session.flush()
        return _info(session, record)


def list_courses(db: sessionmaker[Session], limit: int = 100) -> list[CourseInfo]:
    with db() as session:
        records = session.scalars(
            select(CourseRecord).order_by(CourseRecord.created_at.desc()).limit(limit)
        ).all()
        return [_info(session, r) for r in records]


def get(db: sessionmaker[Session], course_id: str) -> CourseInfo:
    with db() as session:
        return _info(session, _load(session, course_id))


def set_rule(db: sessionmaker[Session], course_id: str, rule: CompletionRule) -> CourseInfo:
    rule = rule_of(rule.min_percent_per_class, rule.min_total_minutes, rule.min_quiz_score)
    with db.begin() as session:
        record = _load(session, course_id)
        record.min_percent_per_class = rule.min_percent_per_class
        record.min_total_minutes = rule.min_total_minutes
        record.min_quiz_score = rule.min_quiz_score
        session.flush()
        return _info(session, record)


def set_recording(
    db: sessionmaker[Session], course_id: str, changes: dict[str, object]
) -> CourseInfo:
    """Change some of the recording settings (`changes`: field name to value; the others stay).
    InvalidCourse for an unknown field or a bad value, changing nothing."""
    unknown = set(changes) - set(RecordingSettings.model_fields)
    if unknown:
        raise InvalidCourse(f"recording settings: no setting {', '.join(sorted(unknown))}")
    with db.begin() as session:
        record = _load(session, course_id)
        settings = _checked({**recording_settings(record).model_dump(), **changes})
        record.record_classes = settings.record_classes
        record.recording_retention_days = settings.recording_retention_days
        record.watching_counts = settings.watching_counts
        session.flush()
        return _info(session, record)


def attach(db: sessionmaker[Session], course_id: str, class_ids: Sequence[str]) -> CourseInfo:
    """Put classes in the course (moving them from another course); all or none."""
    with db.begin() as session:
        record = _load(session, course_id)
        for class_id in class_ids:
            if session.get(ClassRecord, class_id) is None:
                raise ClassNotFound(class_id)
        session.execute(
            update(ClassRecord).where(ClassRecord.id.in_(list(class_ids))).values(course_id=course_id)
        )
        return _info(session, record)


def detach(db: sessionmaker[Session], course_id: str, class_id: str) -> CourseInfo:
    with db.begin() as session:
        record = _load(session, course_id)
        session.execute(
            update(ClassRecord)
            .where(ClassRecord.id == class_id, ClassRecord.course_id == course_id)
            .values(course_id=None)
        )
        return _info(session, record)


def course_classes(db: sessionmaker[Session], course_id: str) -> list[ClassInfo]:
    """The course's classes in the order they are planned (then created)."""
    with db() as session:
        _load(session, course_id)
        records = session.scalars(
            select(ClassRecord)
            .where(ClassRecord.course_id == course_id)
            .order_by(ClassRecord.starts_at, ClassRecord.created_at)
        ).all()
        return [ClassInfo.model_validate(r) for r in records]


def class_course(db: sessionmaker[Session], class_id: str) -> str | None:
    with db() as session:
        record = session.get(ClassRecord, class_id)
        if record is None:
            raise ClassNotFound(class_id)
        return record.course_id


def trainees(db: sessionmaker[Session], course_id: str) -> list[Trainee]:
    """The roster, by external id."""
    with db() as session:
        _load(session, course_id)
        return [
            Trainee.model_validate(r)
            for r in session.scalars(
                select(TraineeRecord)
                .where(TraineeRecord.course_id == course_id)
                .order_by(TraineeRecord.external_id)
            )
        ]


def trainee(db: sessionmaker[Session], course_id: str, external_id: str) -> Trainee | None:
    with db() as session:
        record = session.get(TraineeRecord, (course_id, external_id))
        return None if record is None else Trainee.model_validate(record)


def import_roster(
    db: sessionmaker[Session], course_id: str, rows: Sequence[RosterRow], mode: ImportMode
) -> RosterImported:
    """Write the parsed roster in one transaction: `replace` makes the roster exactly the file
    (trainees not in it are removed), `merge` adds and updates only."""
    with db.begin() as session:
        _load(session, course_id)
        existing = {
            t.external_id: t
            for t in session.scalars(
                select(TraineeRecord).where(TraineeRecord.course_id == course_id)
            )
        }
        added = updated = removed = 0
        for row in rows:
            old = existing.get(row.external_id)
            if old is None:
                session.add(TraineeRecord(course_id=course_id, external_id=row.external_id,
                                          name=row.name, unit=row.unit))  # fmt: skip
                added += 1
            elif (old.name, old.unit) != (row.name, row.unit):
                old.name, old.unit = row.name, row.unit
                updated += 1
        if mode == "replace":
            keep = {r.external_id for r in rows}
            gone = [e for e in existing if e not in keep]
            if gone:
                session.execute(
                    delete(TraineeRecord).where(
                        TraineeRecord.course_id == course_id, TraineeRecord.external_id.in_(gone)
                    )
                )
            removed = len(gone)
        session.flush()
        total = session.scalar(
            select(func.count()).select_from(TraineeRecord).where(TraineeRecord.course_id == course_id)
        )
        return RosterImported(course_id=course_id, added=added, updated=updated,
                              removed=removed, trainees=total or 0)  # fmt: skip
