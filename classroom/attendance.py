"""Attendance: one row per connection, and the per-person report a school files as proof.

A person is the trainee's external id when the join link carried one (the school's own
identity), else their role and display name, else the single connection. Time online is the
union of a person's connections, so two tabs open at once do not count twice.

Crash safety: each process holding connections (its `holder`) refreshes the `last_seen_at` of
all its open rows with one UPDATE every few seconds (`heartbeat`, at most 5 s apart), so a
crash (SIGKILL, power loss) loses at most that much. A row left open by a crashed process is
closed at its `last_seen_at`, never "now": at server start (`recover`), and by any live
process once the row has not been seen for `STALE_AFTER` (`sweep`). Until then an open row
counts up to now while it is fresh, and only up to its last sighting once stale, in reports
and when its class ends.

Every join, leave and close is also chained (classroom/attendance_chain) in the same
transaction as the row it records.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from classroom.attendance_chain.chain import CLOSE, JOIN, LEAVE, append_event, retrying
from classroom.errors import ClassNotFound
from classroom.models import REASON_MAX, AttendanceRecord, ClassRecord, ClassStatus
from classroom.roles import Role

CSV_COLUMNS = [
    "external_id",
    "display_name",
    "role",
    "sessions",
    "first_join",
    "last_leave",
    "online_now",
    "seconds_online",
    "time_online",
]


class PersonAttendance(BaseModel):
    person: str  # the grouping key: "external:<id>", "name:<role>:<name>" or "connection:<row id>"
    external_id: str | None
    display_name: str | None  # the name of their latest connection
    role: Role
    sessions: int
    first_join: datetime
    last_leave: datetime | None  # None while a connection is still open
    online_now: bool
    seconds_online: int


class AttendanceReport(BaseModel):
    class_id: str
    title: str
    status: ClassStatus
    generated_at: datetime
    people: list[PersonAttendance]


def _utcnow() -> datetime:
    return datetime.now(UTC)


HEARTBEAT_MAX_S = 5.0  # the most time online a crash may lose
# An open row not seen for this long: its process is gone (three heartbeats missed at least).
STALE_AFTER = timedelta(seconds=3 * HEARTBEAT_MAX_S)
SWEEP_EVERY = 5  # heartbeats between two sweeps for rows of gone processes
SERVER_LOST = "server_lost"  # the leave reason of a row closed after a crash

log = logging.getLogger(__name__)
T = TypeVar("T")


def last_seen(row: AttendanceRecord) -> datetime:
    """The last time the row's connection is known to have been there."""
    return row.last_seen_at or row.joined_at


def counted_until(row: AttendanceRecord, now: datetime) -> datetime:
    """Where an interval ends for the report: its leave; for an open row, now while its process
    keeps seeing it, its last sighting once it has not for `STALE_AFTER` (the process is gone)."""
    if row.left_at is not None:
        return row.left_at
    seen = last_seen(row)
    return now if now - seen <= STALE_AFTER else seen


def close_row(session: Session, row: AttendanceRecord, when: datetime, reason: str, kind: str) -> None:
    """Close one open row and chain its close (in the caller's transaction)."""
    row.left_at = max(when, row.joined_at)
    row.leave_reason = reason
    append_event(
        session,
        row.class_id,
        kind,
        row.left_at,
        attendance_id=row.id,
        participant_id=row.participant_id,
        role=row.role.value,
        external_id=row.external_id,
        name=row.display_name,
        reason=reason,
    )


def close_open_rows(session: Session, when: datetime, reason: str, class_id: str | None = None) -> int:
    """Close every open row (of one class, or all) at `when`; used when a class ends or the
    server stops. A row whose process is gone closes at its last sighting (`counted_until`)."""
    query = select(AttendanceRecord).where(AttendanceRecord.left_at.is_(None))
    if class_id is not None:
        query = query.where(AttendanceRecord.class_id == class_id)
    rows = session.scalars(query.order_by(AttendanceRecord.id)).all()
    for row in rows:
        close_row(session, row, min(when, counted_until(row, when)), reason, CLOSE)
    return len(rows)


class AttendanceLog:
    """Writes join/leave rows and reads the report; sync, for ``run_in_threadpool``.

    One log per process: `holder` names the process on the rows it opens."""

    def __init__(
        self, db: sessionmaker[Session], clock: Callable[[], datetime] = _utcnow, holder: str | None = None
    ):
        self._db = db
        self._clock = clock
        self.holder = holder or uuid.uuid4().hex
        # The threads of one process take turns to write: SQLite has one writer at a time,
        # and a transaction that read before another's commit must start over (see `_write`).
        self._writing = threading.Lock()

    def _write(self, work: Callable[[Session], T]) -> T:
        with self._writing:
            return retrying(self._db, work)

    def joined(
        self,
        class_id: str,
        participant_id: str,
        role: Role,
        external_id: str | None,
        name: str | None,
    ) -> int:
        """Record a connection; the returned row id goes to `left` when it closes."""

        def work(session: Session) -> int:
            if session.get(ClassRecord, class_id) is None:
                raise ClassNotFound(class_id)
            now = self._clock()
            row = AttendanceRecord(
                class_id=class_id,
                participant_id=participant_id,
                role=role,
                external_id=external_id,
                display_name=name,
                joined_at=now,
                holder=self.holder,
                last_seen_at=now,
            )
            session.add(row)
            session.flush()
            append_event(
                session,
                class_id,
                JOIN,
                now,
                attendance_id=row.id,
                participant_id=participant_id,
                role=role.value,
                external_id=external_id,
                name=name,
            )
            return row.id

        return self._write(work)

    def left(self, row_id: int, reason: str) -> None:
        """Close a connection's row; closing it again keeps the first leave (idempotent)."""
        if len(reason) > REASON_MAX:
            raise ValueError(f"leave reason longer than {REASON_MAX} characters")

        def work(session: Session) -> None:
            row = session.get(AttendanceRecord, row_id)
            if row is None:
                raise ValueError(f"no attendance row {row_id}")
            if row.left_at is None:
                close_row(session, row, self._clock(), reason, LEAVE)

        self._write(work)

    def heartbeat(self) -> int:
        """Mark every open row of this process seen now: one UPDATE; how many rows."""
        query = (
            update(AttendanceRecord)
            .where(AttendanceRecord.left_at.is_(None), AttendanceRecord.holder == self.holder)
            .values(last_seen_at=self._clock())
        )
        return self._write(lambda session: cast(CursorResult[Any], session.execute(query)).rowcount)

    def recover(self) -> int:
        """Server start: close every open row no live process holds (none but ours can be) at
        its last sighting; how many."""
        return self._close_lost(stale_only=False)

    def sweep(self) -> int:
        """Close the open rows of other processes not seen for `STALE_AFTER` (a crashed worker)."""
        return self._close_lost(stale_only=True)

    def _close_lost(self, stale_only: bool) -> int:
        def work(session: Session) -> int:
            query = select(AttendanceRecord).where(
                AttendanceRecord.left_at.is_(None),
                or_(AttendanceRecord.holder.is_(None), AttendanceRecord.holder != self.holder),
            )
            if stale_only:
                cutoff = self._clock() - STALE_AFTER
                query = query.where(
                    or_(
                        AttendanceRecord.last_seen_at < cutoff,
                        AttendanceRecord.last_seen_at.is_(None) & (AttendanceRecord.joined_at < cutoff),
                    )
                )
            rows = session.scalars(query.order_by(AttendanceRecord.id)).all()
            for row in rows:
                close_row(session, row, last_seen(row), SERVER_LOST, CLOSE)
            return len(rows)

        return self._write(work)

    def close_open(self, reason: str) -> int:
        """Close every open row of every class (the server is stopping); how many were open."""
        return self._write(lambda session: close_open_rows(session, self._clock(), reason))

    async def keep_seen(self, interval_s: float) -> None:
        """Run `heartbeat` every `interval_s` (at most `HEARTBEAT_MAX_S`) and `sweep` every
        `SWEEP_EVERY` heartbeats, until cancelled; a failed round is logged and retried."""
        interval_s = min(interval_s, HEARTBEAT_MAX_S)
        beats = 0
        while True:
            await asyncio.sleep(interval_s)
            beats += 1
            try:
                await asyncio.to_thread(self.heartbeat)
                if beats % SWEEP_EVERY == 0:
                    if swept := await asyncio.to_thread(self.sweep):
                        log.warning("closed %d attendance rows of a process that stopped answering", swept)
            except Exception:
                log.exception("attendance heartbeat failed; retrying")

    def report(self, class_id: str) -> AttendanceReport:
        with self._db() as session:
            record = session.get(ClassRecord, class_id)
            if record is None:
                raise ClassNotFound(class_id)
            rows = session.scalars(
                select(AttendanceRecord)
                .where(AttendanceRecord.class_id == class_id)
                .order_by(AttendanceRecord.joined_at, AttendanceRecord.id)
            ).all()
            now = self._clock()
            groups: dict[str, list[AttendanceRecord]] = {}
            for row in rows:
                groups.setdefault(_person_key(row), []).append(row)
            people = [_person(key, group, now) for key, group in groups.items()]
            return AttendanceReport(
                class_id=record.id,
                title=record.title,
                status=record.status,
                generated_at=now,
                people=people,
            )


def _person_key(row: AttendanceRecord) -> str:
    if row.external_id:
        return f"external:{row.external_id}"
    if row.display_name:
        return f"name:{row.role.value}:{row.display_name}"
    return f"connection:{row.id}"


def _person(key: str, rows: list[AttendanceRecord], now: datetime) -> PersonAttendance:
    """Rows are in join order; the latest row gives the current name and role."""
    online_now = any(r.left_at is None and counted_until(r, now) == now for r in rows)
    return PersonAttendance(
        person=key,
        external_id=rows[-1].external_id,
        display_name=rows[-1].display_name,
        role=rows[-1].role,
        sessions=len(rows),
        first_join=rows[0].joined_at,
        last_leave=None if online_now else max(counted_until(r, now) for r in rows),
        online_now=online_now,
        seconds_online=_union_seconds((r.joined_at, counted_until(r, now)) for r in rows),
    )


def _union_seconds(intervals: Iterable[tuple[datetime, datetime]]) -> int:
    """Length of the union of intervals, in whole seconds."""
    total = 0.0
    end: datetime | None = None
    for a, b in sorted(intervals):
        if end is None or a > end:
            total += (b - a).total_seconds()
            end = b
        elif b > end:
            total += (b - end).total_seconds()
            end = b
    return int(total)


def spreadsheet_safe(value: str) -> str:
    """Defuse spreadsheet formulas: names are typed by people and the CSV is opened in Excel."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def format_duration(seconds: int) -> str:
    """h:mm:ss, as schools write attendance time."""
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def excel_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a UTF-8 BOM, so that Excel shows Vietnamese names correctly, and CRLF lines."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def report_csv(report: AttendanceReport) -> str:
    """The report as CSV for Excel (`excel_csv`)."""
    return excel_csv(
        CSV_COLUMNS,
        (
            [
                spreadsheet_safe(p.external_id or ""),
                spreadsheet_safe(p.display_name or ""),
                p.role.value,
                p.sessions,
                p.first_join.isoformat(),
                p.last_leave.isoformat() if p.last_leave else "",
                "yes" if p.online_now else "no",
                p.seconds_online,
                format_duration(p.seconds_online),
            ]
            for p in report.people
        ),
    )
