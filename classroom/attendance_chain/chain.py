"""Appending to a class's attendance chain and verifying it against the attendance rows.

`append_event` adds an event inside the caller's transaction (the attendance row and its event
commit together); `record_event` is the same in a transaction of its own, for other parts of
the class (in-room check-in and check-out). Two writers racing for the same position collide
on the table's unique constraint; `record_event` retries, and the attendance log retries its
own writes the same way.

`verify` recomputes every hash, finds gaps in the positions (a deleted event), and compares
each attendance row with the events chained for it (a row edited, deleted, or added outside
the server).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance_chain.encoding import GENESIS, ChainEvent, Scalar, event_hash
from classroom.attendance_chain.models import AttendanceEventRecord
from classroom.checkin.models import CheckInRecord
from classroom.errors import ClassNotFound
from classroom.models import AttendanceRecord, ClassRecord

CHECKIN = "checkin"  # counted present in the room (classroom/checkin)
CHECKOUT = "checkout"
JOIN = "join"
LEAVE = "leave"  # the connection closed
CLOSE = "close"  # the server closed the row: class ended, server stopped, crash recovered
CLOSING_KINDS = (LEAVE, CLOSE)
WRITE_ATTEMPTS = 5

T = TypeVar("T")


def retrying(db: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in a transaction, again when a concurrent append took the same position."""
    for attempt in range(WRITE_ATTEMPTS):
        try:
            with db.begin() as session:
                return work(session)
        except (IntegrityError, OperationalError):
            if attempt == WRITE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def append_event(
    session: Session,
    class_id: str,
    kind: str,
    at: datetime,
    *,
    attendance_id: int | None = None,
    participant_id: str | None = None,
    role: str | None = None,
    external_id: str | None = None,
    name: str | None = None,
    reason: str | None = None,
    data: dict[str, Scalar] | None = None,
) -> AttendanceEventRecord:
    """Chain one event after the class's last (in the caller's transaction)."""
    last = session.scalars(
        select(AttendanceEventRecord)
        .where(AttendanceEventRecord.class_id == class_id)
        .order_by(AttendanceEventRecord.position.desc())
        .limit(1)
    ).first()
    event = ChainEvent(
        class_id=class_id,
        position=last.position + 1 if last else 1,
        at=at,
        kind=kind,
        attendance_id=attendance_id,
        participant_id=participant_id,
        role=role,
        external_id=external_id,
        name=name,
        reason=reason,
        data=dict(data or {}),
    )
    prev = last.hash if last else GENESIS
    row = AttendanceEventRecord(
        class_id=class_id,
        position=event.position,
        at=at,
        kind=kind,
        attendance_id=attendance_id,
        participant_id=participant_id,
        role=role,
        external_id=external_id,
        name=name,
        reason=reason,
        data=event.data or None,
        prev_hash=prev,
        hash=event_hash(prev, event),
    )
    session.add(row)
    session.flush()
    return row


def record_event(
    db: sessionmaker[Session],
    class_id: str,
    kind: str,
    at: datetime,
    *,
    external_id: str | None = None,
    name: str | None = None,
    reason: str | None = None,
    data: dict[str, Scalar] | None = None,
) -> int:
    """Chain an event of another part of the class (e.g. ``checkin``/``checkout``); its position."""

    def work(session: Session) -> int:
        if session.get(ClassRecord, class_id) is None:
            raise ClassNotFound(class_id)
        return append_event(
            session, class_id, kind, at, external_id=external_id, name=name, reason=reason, data=data
        ).position

    return retrying(db, work)


def chain_checkin(session: Session, record: CheckInRecord) -> None:
    """Chain a check-in, or its check-out once `checked_out_at` is set (caller's transaction)."""
    out = record.checked_out_at is not None
    append_event(
        session,
        record.class_id,
        CHECKOUT if out else CHECKIN,
        record.checked_out_at if record.checked_out_at is not None else record.checked_in_at,
        external_id=record.external_id,
        name=record.name,
        data={"checkin_id": record.id},
    )


def _as_event(row: AttendanceEventRecord) -> ChainEvent:
    return ChainEvent(
        class_id=row.class_id,
        position=row.position,
        at=row.at,
        kind=row.kind,
        attendance_id=row.attendance_id,
        participant_id=row.participant_id,
        role=row.role,
        external_id=row.external_id,
        name=row.name,
        reason=row.reason,
        data=dict(row.data or {}),
    )


Problem = Literal[
    "event_edited", "event_deleted", "link_broken", "row_edited", "row_deleted", "row_unchained",
    "checkin_edited", "checkin_deleted", "checkin_unchained",
]


class ChainProblem(BaseModel):
    problem: Problem
    position: int | None = None  # the event's position in the class's chain
    event_id: int | None = None
    attendance_id: int | None = None
    checkin_id: int | None = None
    detail: str


class ChainVerdict(BaseModel):
    class_id: str
    ok: bool
    events: int
    head: str | None  # the last event's hash: write it down to notice a truncated chain later
    problems: list[ChainProblem]


def verify(db: sessionmaker[Session], class_id: str) -> ChainVerdict:
    """Check a class's chain and its attendance rows against it; ClassNotFound if no such class."""
    with db() as session:
        if session.get(ClassRecord, class_id) is None:
            raise ClassNotFound(class_id)
        events = list(
            session.scalars(
                select(AttendanceEventRecord)
                .where(AttendanceEventRecord.class_id == class_id)
                .order_by(AttendanceEventRecord.position)
            )
        )
        rows = list(
            session.scalars(
                select(AttendanceRecord).where(AttendanceRecord.class_id == class_id).order_by(AttendanceRecord.id)
            )
        )
        checkins = list(
            session.scalars(select(CheckInRecord).where(CheckInRecord.class_id == class_id).order_by(CheckInRecord.id))
        )
    problems = _chain_problems(events) + _row_problems(events, rows) + _checkin_problems(events, checkins)
    return ChainVerdict(
        class_id=class_id,
        ok=not problems,
        events=len(events),
        head=events[-1].hash if events else None,
        problems=problems,
    )


def _chain_problems(events: list[AttendanceEventRecord]) -> list[ChainProblem]:
    problems: list[ChainProblem] = []
    expected, prev = 1, GENESIS
    previous: AttendanceEventRecord | None = None
    for row in events:
        if row.position > expected:
            problems += [
                ChainProblem(problem="event_deleted", position=p, detail=f"event #{p} was deleted")
                for p in range(expected, row.position)
            ]
        elif row.prev_hash != prev and previous is not None:
            problems.append(
                ChainProblem(
                    problem="link_broken",
                    position=previous.position,
                    event_id=previous.id,
                    detail=f"event #{previous.position} was changed: event #{row.position} "
                    "does not chain to its hash",
                )
            )
        elif row.prev_hash != prev:
            problems.append(
                ChainProblem(
                    problem="link_broken",
                    position=row.position,
                    event_id=row.id,
                    detail=f"event #{row.position} does not chain to the start of the chain",
                )
            )
        if event_hash(row.prev_hash, _as_event(row)) != row.hash:
            problems.append(
                ChainProblem(
                    problem="event_edited",
                    position=row.position,
                    event_id=row.id,
                    detail=f"event #{row.position} ({row.kind}) was edited: its hash does not match",
                )
            )
        expected, prev, previous = row.position + 1, row.hash, row
    return problems


def _row_problems(events: list[AttendanceEventRecord], rows: list[AttendanceRecord]) -> list[ChainProblem]:
    """Each attendance row against its chained join and close."""
    joins = {e.attendance_id: e for e in events if e.kind == JOIN and e.attendance_id is not None}
    closes = {e.attendance_id: e for e in events if e.kind in CLOSING_KINDS and e.attendance_id is not None}
    first_chained = min(joins, default=None)
    problems: list[ChainProblem] = []
    by_id = {r.id: r for r in rows}
    for row in rows:
        join = joins.get(row.id)
        if join is None:
            if first_chained is not None and row.id < first_chained:
                continue  # recorded before this database had the chain
            problems.append(
                ChainProblem(
                    problem="row_unchained",
                    attendance_id=row.id,
                    detail=f"attendance row {row.id} has no chained join: added outside the server, "
                    "or its events were deleted",
                )
            )
            continue
        differs = [
            what
            for what, recorded, chained in (
                ("joined_at", row.joined_at, join.at),
                ("participant_id", row.participant_id, join.participant_id),
                ("role", row.role.value, join.role),
                ("external_id", row.external_id, join.external_id),
                ("display_name", row.display_name, join.name),
            )
            if recorded != chained
        ]
        close = closes.get(row.id)
        if close is not None and (row.left_at, row.leave_reason) != (close.at, close.reason):
            differs.append("left_at" if row.left_at != close.at else "leave_reason")
        if close is None and row.left_at is not None:
            problems.append(
                ChainProblem(
                    problem="row_unchained",
                    attendance_id=row.id,
                    detail=f"attendance row {row.id} is closed but its leave is not chained: "
                    "closed outside the server, or the event was deleted",
                )
            )
        if differs:
            problems.append(
                ChainProblem(
                    problem="row_edited",
                    attendance_id=row.id,
                    position=join.position,
                    detail=f"attendance row {row.id} was edited: {', '.join(differs)} "
                    f"{'differs' if len(differs) == 1 else 'differ'} from the chained events",
                )
            )
    for attendance_id, join in joins.items():
        if attendance_id not in by_id:
            problems.append(
                ChainProblem(
                    problem="row_deleted",
                    attendance_id=attendance_id,
                    position=join.position,
                    detail=f"attendance row {attendance_id} ({join.name or join.participant_id}) was deleted",
                )
            )
    return problems


def _checkin_problems(events: list[AttendanceEventRecord], checkins: list[CheckInRecord]) -> list[ChainProblem]:
    """Each room check-in against its chained check-in and check-out."""

    def by_kind(kind: str) -> dict[object, AttendanceEventRecord]:
        """Events that stand for a check-in row (others may chain check-ins of their own)."""
        return {
            (e.data or {})["checkin_id"]: e for e in events if e.kind == kind and "checkin_id" in (e.data or {})
        }

    ins, outs = by_kind(CHECKIN), by_kind(CHECKOUT)
    present = {c.id for c in checkins}
    problems: list[ChainProblem] = []
    for c in checkins:
        chained_in, chained_out = ins.get(c.id), outs.get(c.id)
        if chained_in is None or (c.checked_out_at is not None and chained_out is None):
            problems.append(
                ChainProblem(
                    problem="checkin_unchained",
                    checkin_id=c.id,
                    detail=f"check-in {c.id} ({c.name}) has no chained "
                    f"{'check-in' if chained_in is None else 'check-out'}: written outside the server, "
                    "or its event was deleted",
                )
            )
            continue
        differs = [
            what
            for what, recorded, chained in (
                ("checked_in_at", c.checked_in_at, chained_in.at),
                ("external_id", c.external_id, chained_in.external_id),
                ("name", c.name, chained_in.name),
                ("checked_out_at", c.checked_out_at, chained_out.at if chained_out else None),
            )
            if recorded != chained
        ]
        if differs:
            problems.append(
                ChainProblem(
                    problem="checkin_edited",
                    checkin_id=c.id,
                    position=chained_in.position,
                    detail=f"check-in {c.id} was edited: {', '.join(differs)} "
                    f"{'differs' if len(differs) == 1 else 'differ'} from the chained events",
                )
            )
    for checkin_id, event in ins.items():
        if checkin_id not in present:
            problems.append(
                ChainProblem(
                    problem="checkin_deleted",
                    position=event.position,
                    detail=f"check-in {checkin_id} ({event.name}) was deleted",
                )
            )
    return problems
