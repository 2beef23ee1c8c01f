"""Classes as the school schedules them: create, list, look up, start (first join), end.

Synchronous SQLAlchemy, one transaction per call, returning plain `ClassInfo` values so that
nothing detached from its session leaks out; async callers use ``run_in_threadpool``.
The status moves only along `TRANSITIONS`. A room holds one booked class at a time: a class
whose times overlap another's in the same room is refused (`RoomBooked`) unless the caller
allows it. The room schedule's decisions about each class (its start and end scenes) are kept
here too, so that a restarted server resumes instead of running them again.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Iterable
from datetime import UTC, datetime
from typing import Any, Literal, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance import close_open_rows
from classroom.webhooks import outbox
from classroom.errors import ClassEnded, ClassNotFound, RoomBooked, UnknownRoom
from classroom.models import AUDIT_TEXT_MAX, ClassRecord, ClassStatus, ScheduleStepRecord

ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: ids get read aloud and typed
ID_LENGTH = 10  # 31**10 ≈ 8e14 ids

TRANSITIONS: dict[ClassStatus, frozenset[ClassStatus]] = {
    ClassStatus.CREATED: frozenset({ClassStatus.LIVE, ClassStatus.ENDED}),
    ClassStatus.LIVE: frozenset({ClassStatus.ENDED}),
    ClassStatus.ENDED: frozenset(),
}


class ClassInfo(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    id: str
    title: str
    room: str | None
    status: ClassStatus
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def new_class_id() -> str:
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _load(session: Session, class_id: str) -> ClassRecord:
    record = session.get(ClassRecord, class_id, populate_existing=True)
    if record is None:
        raise ClassNotFound(class_id)
    return record


def _move(session: Session, class_id: str, to: ClassStatus, **values: datetime) -> ClassRecord:
    """Move the class to `to` in one UPDATE, so that two processes cannot both end a class.

    Moving to the status the class already has is allowed for LIVE only (every join "starts" it).
    """
    sources = [s for s, targets in TRANSITIONS.items() if to in targets]
    moved = session.execute(
        update(ClassRecord)
        .where(ClassRecord.id == class_id, ClassRecord.status.in_(sources))
        .values(status=to, **values)
    )
    record = _load(session, class_id)
    if cast(CursorResult[Any], moved).rowcount == 0 and not (
        to is ClassStatus.LIVE and record.status is to
    ):
        raise ClassEnded(class_id)  # every refused transition starts from ENDED
    return record


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _check_free(
    session: Session, room: str, starts_at: datetime, ends_at: datetime, new_id: str
) -> None:
    """RoomBooked if a class other than `new_id` holds `room` at some moment of [starts_at, ends_at).

    A class holds its room from its start to its planned end, or to when it was ended if that
    was earlier. Back-to-back classes (one ends at 10:00, the next starts at 10:00) do not
    overlap, and the schedule's margins do not count: the next class's start scene waits for
    the previous class to end (devices/room/scheduler.py).
    """
    other = session.scalars(
        select(ClassRecord)
        .where(
            ClassRecord.id != new_id,
            ClassRecord.room == room,
            ClassRecord.starts_at < ends_at,
            ClassRecord.ends_at > starts_at,
            or_(ClassRecord.ended_at.is_(None), ClassRecord.ended_at > starts_at),
        )
        .order_by(ClassRecord.starts_at)
        .limit(1)
    ).first()
    if other is not None:
        assert other.starts_at is not None and other.ends_at is not None  # by the query
        raise RoomBooked(room, other.id, other.title, _utc(other.starts_at), _utc(other.ends_at))


def _lock_room(session: Session, room: str) -> None:
    """Two bookings of one room at once must not both pass the overlap check.

    SQLite has one writer at a time, and `create` writes before it checks. PostgreSQL lets
    writers run side by side: a lock per room, held until the transaction ends, orders them.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(room.encode()).digest()[:8], "big", signed=True)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def create(
    db: sessionmaker[Session],
    title: str,
    room: str | None = None,
    now: datetime | None = None,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    known_rooms: Collection[str] | None = None,
    allow_overlap: bool = False,
) -> ClassInfo:
    """A new class; the caller has validated title, room and times (see signaling/api/schemas.py).

    `known_rooms` are the rooms of the school's rooms file: a room not among them is refused
    (`UnknownRoom`); None leaves the name unchecked. A class with times is refused
    (`RoomBooked`) when another class holds the room then, unless `allow_overlap`.
    """
    if room is not None and known_rooms is not None and room not in known_rooms:
        raise UnknownRoom(room, sorted(known_rooms))
    with db.begin() as session:
        class_id = new_class_id()
        while session.get(ClassRecord, class_id) is not None:
            class_id = new_class_id()
        record = ClassRecord(
            id=class_id,
            title=title,
            room=room,
            status=ClassStatus.CREATED,
            created_at=_now(now),
            starts_at=starts_at.astimezone(UTC) if starts_at else None,
            ends_at=ends_at.astimezone(UTC) if ends_at else None,
        )
        if room is not None and starts_at is not None and ends_at is not None and not allow_overlap:
            _lock_room(session, room)
        session.add(record)
        session.flush()  # written first: on SQLite this takes the database's one write lock
        if room is not None and starts_at is not None and ends_at is not None and not allow_overlap:
            _check_free(session, room, starts_at, ends_at, class_id)  # refused: rolled back
        return ClassInfo.model_validate(record)


def list_classes(
    db: sessionmaker[Session], status: ClassStatus | None = None, limit: int = 100
) -> list[ClassInfo]:
    """The newest `limit` classes, optionally only those in `status`."""
    query = select(ClassRecord).order_by(ClassRecord.created_at.desc()).limit(limit)
    if status is not None:
        query = query.where(ClassRecord.status == status)
    with db() as session:
        return [ClassInfo.model_validate(r) for r in session.scalars(query)]


def booked_in(db: sessionmaker[Session], room: str, since: datetime) -> list[ClassInfo]:
    """Classes in `room` the room's schedule looks at: planned to end after `since`, or live."""
    query = (
        select(ClassRecord)
        .where(
            ClassRecord.room == room,
            or_(ClassRecord.ends_at >= since, ClassRecord.status == ClassStatus.LIVE),
        )
        .order_by(ClassRecord.starts_at)
        .limit(100)
    )
    with db() as session:
        return [ClassInfo.model_validate(r) for r in session.scalars(query)]


def get(db: sessionmaker[Session], class_id: str) -> ClassInfo:
    with db() as session:
        return ClassInfo.model_validate(_load(session, class_id))


def start(db: sessionmaker[Session], class_id: str, now: datetime | None = None) -> ClassInfo:
    """Mark the class live at its first join; later joins leave it as it is. ClassEnded if ended."""
    with db.begin() as session:
        record = _move(session, class_id, ClassStatus.LIVE, started_at=_now(now))
        outbox.enqueue(session, class_id, outbox.CLASS_STARTED, record.started_at or _now(now), outbox.class_data(record))
        return ClassInfo.model_validate(record)


def end(db: sessionmaker[Session], class_id: str, now: datetime | None = None) -> ClassInfo:
    """Mark the class ended and close its open attendance rows; ClassEnded if it already was."""
    when = _now(now)
    with db.begin() as session:
        record = _move(session, class_id, ClassStatus.ENDED, ended_at=when)
        close_open_rows(session, when, "class_ended", class_id)
        outbox.enqueue(session, class_id, outbox.CLASS_ENDED, when, outbox.class_data(record))
        outbox.enqueue(session, class_id, outbox.REPORT_READY, when, None)  # built when sent
        return ClassInfo.model_validate(record)


ScheduleStep = Literal["start", "end"]


def schedule_steps(db: sessionmaker[Session], class_ids: Iterable[str]) -> dict[str, set[str]]:
    """The steps ("start", "end") the room schedule has already dealt with, per class."""
    ids = list(class_ids)
    done: dict[str, set[str]] = {class_id: set() for class_id in ids}
    if not ids:
        return done
    query = select(ScheduleStepRecord.class_id, ScheduleStepRecord.step).where(
        ScheduleStepRecord.class_id.in_(ids)
    )
    with db() as session:
        for class_id, step in session.execute(query):
            done[class_id].add(step)
    return done


def record_schedule_step(
    db: sessionmaker[Session],
    class_id: str,
    step: ScheduleStep,
    *,
    room: str,
    at: datetime,
    outcome: Literal["ran", "skipped"],
    detail: str = "",
) -> bool:
    """Remember that the room schedule dealt with `step` of the class; False if it already had."""
    row = ScheduleStepRecord(
        class_id=class_id, step=step, room=room, at=at, outcome=outcome,
        detail=detail[:AUDIT_TEXT_MAX],
    )  # fmt: skip
    try:
        with db.begin() as session:
            session.add(row)
    except IntegrityError:
        return False
    return True
