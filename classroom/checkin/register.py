"""Recording check-ins: who is present in the room, from which phone, from when to when.

One transaction per call; the table's unique constraints are the last word when two phones
race (the loser gets the same refusal it would have got a moment later). The caller (the
HTTP edge) has already checked the room's PIN; this module checks everything about the
class, the roster and the phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance_chain.chain import chain_checkin
from classroom.checkin.errors import (
    AlreadyCheckedIn,
    CheckedOut,
    DeviceUsed,
    NoRoster,
    NotCheckedIn,
    NotOnRoster,
)
from classroom.checkin.models import CheckInRecord
from classroom.checkin.roster_search import RosterEntry
from classroom.courses.models import TraineeRecord
from classroom.errors import ClassEnded, ClassNotFound
from classroom.models import ClassRecord, ClassStatus

ROSTER_MAX = 5000  # the largest roster the search reads


@dataclass(frozen=True)
class CheckInView:
    class_id: str
    external_id: str
    name: str
    checked_in_at: datetime
    checked_out_at: datetime | None = None


def _view(record: CheckInRecord) -> CheckInView:
    return CheckInView(
        record.class_id, record.external_id, record.name, record.checked_in_at, record.checked_out_at
    )


def _open_class(session: Session, class_id: str) -> ClassRecord:
    record = session.get(ClassRecord, class_id)
    if record is None:
        raise ClassNotFound(class_id)
    if record.status is ClassStatus.ENDED:
        raise ClassEnded(class_id)
    return record


def roster(db: sessionmaker[Session], class_id: str) -> list[RosterEntry]:
    """The roster of the class's course (NoRoster when the class has no course)."""
    with db() as session:
        course_id = _open_class(session, class_id).course_id
        if course_id is None:
            raise NoRoster()
        rows = session.scalars(
            select(TraineeRecord).where(TraineeRecord.course_id == course_id).limit(ROSTER_MAX)
        )
        return [RosterEntry(r.external_id, r.name, r.unit) for r in rows]


def require_roster(db: sessionmaker[Session], class_id: str) -> None:
    """NoRoster unless the class (open) belongs to a course."""
    with db() as session:
        if _open_class(session, class_id).course_id is None:
            raise NoRoster()


def _by(session: Session, class_id: str, **where: str) -> CheckInRecord | None:
    query = select(CheckInRecord).where(CheckInRecord.class_id == class_id)
    for column, value in where.items():
        query = query.where(getattr(CheckInRecord, column) == value)
    return session.scalars(query).first()


def _refusal(session: Session, class_id: str, external_id: str, device: str) -> Exception | None:
    """Why this phone may not check this trainee in; None if it may."""
    mine = _by(session, class_id, device=device)
    if mine is not None and mine.external_id != external_id:
        return DeviceUsed(mine.name)
    theirs = _by(session, class_id, external_id=external_id)
    if theirs is not None and theirs.device != device:
        return AlreadyCheckedIn(theirs.name)
    if theirs is not None and theirs.checked_out_at is not None:
        return CheckedOut(theirs.name)
    return None


def check_in(
    db: sessionmaker[Session], class_id: str, external_id: str, device: str, now: datetime
) -> tuple[CheckInView, bool]:
    """Count the trainee present in the room from `now`; (their check-in, whether it is new).
    Checking in again from the same phone is harmless and answers the first check-in."""
    try:
        with db.begin() as session:
            course_id = _open_class(session, class_id).course_id
            if course_id is None:
                raise NoRoster()
            trainee = session.get(TraineeRecord, (course_id, external_id))
            if trainee is None:
                raise NotOnRoster(external_id)
            refusal = _refusal(session, class_id, external_id, device)
            if refusal is not None:
                raise refusal
            existing = _by(session, class_id, external_id=external_id)
            if existing is not None:
                return _view(existing), False
            record = CheckInRecord(
                class_id=class_id, external_id=external_id, name=trainee.name, device=device,
                checked_in_at=now, checked_out_at=None,
            )  # fmt: skip
            session.add(record)
            session.flush()
            chain_checkin(session, record)
            return _view(record), True
    except IntegrityError:  # another phone won the race a moment ago
        with db() as session:
            refusal = _refusal(session, class_id, external_id, device)
            existing = _by(session, class_id, external_id=external_id)
        if refusal is not None:
            raise refusal from None
        if existing is None:  # the attendance chain's position was taken: try again
            return check_in(db, class_id, external_id, device, now)
        return _view(existing), False


def check_out(db: sessionmaker[Session], class_id: str, device: str, now: datetime) -> CheckInView:
    """The phone's trainee leaves the room now (again: harmless, the first time stays)."""
    with db.begin() as session:
        record = _by(session, class_id, device=device)
        if record is None:
            raise NotCheckedIn()
        if record.checked_out_at is None:
            record.checked_out_at = now
            chain_checkin(session, record)
        return _view(record)


def of_device(db: sessionmaker[Session], class_id: str, device: str) -> CheckInView | None:
    with db() as session:
        record = _by(session, class_id, device=device)
        return None if record is None else _view(record)


def of_class(db: sessionmaker[Session], class_id: str) -> list[CheckInView]:
    """Every check-in of the class, in the order they came."""
    query = (
        select(CheckInRecord)
        .where(CheckInRecord.class_id == class_id)
        .order_by(CheckInRecord.checked_in_at, CheckInRecord.id)
    )
    with db() as session:
        return [_view(r) for r in session.scalars(query)]
