"""Classes as the school schedules them: create, list, look up, start (first join), end.

Synchronous SQLAlchemy, one transaction per call, returning plain `ClassInfo` values so that
nothing detached from its session leaks out; async callers use ``run_in_threadpool``.
The status moves only along `TRANSITIONS`.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance import close_open_rows
from classroom.errors import ClassEnded, ClassNotFound
from classroom.models import ClassRecord, ClassStatus

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


def create(
    db: sessionmaker[Session],
    title: str,
    room: str | None = None,
    now: datetime | None = None,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> ClassInfo:
    """A new class; the caller has validated title, room and times (see signaling/api/schemas.py)."""
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
        session.add(record)
        session.flush()
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
        return ClassInfo.model_validate(
            _move(session, class_id, ClassStatus.LIVE, started_at=_now(now))
        )


def end(db: sessionmaker[Session], class_id: str, now: datetime | None = None) -> ClassInfo:
    """Mark the class ended and close its open attendance rows; ClassEnded if it already was."""
    when = _now(now)
    with db.begin() as session:
        record = _move(session, class_id, ClassStatus.ENDED, ended_at=when)
        close_open_rows(session, when, "class_ended", class_id)
        return ClassInfo.model_validate(record)
