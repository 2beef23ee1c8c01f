"""Attendance: one row per connection, and the per-person report a school files as proof.

A person is the trainee's external id when the join link carried one (the school's own
identity), else their role and display name, else the single connection. Time online is the
union of a person's connections, so two tabs open at once do not count twice; a connection
still open counts up to now.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, sessionmaker

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


def close_open_rows(
    session: Session, when: datetime, reason: str, class_id: str | None = None
) -> int:
    """Close every open row (of one class, or all); used when a class ends or the server stops."""
    query = update(AttendanceRecord).where(AttendanceRecord.left_at.is_(None))
    if class_id is not None:
        query = query.where(AttendanceRecord.class_id == class_id)
    result = session.execute(query.values(left_at=when, leave_reason=reason))
    return cast(CursorResult[Any], result).rowcount


class AttendanceLog:
    """Writes join/leave rows and reads the report; sync, for ``run_in_threadpool``."""

    def __init__(self, db: sessionmaker[Session], clock: Callable[[], datetime] = _utcnow):
        self._db = db
        self._clock = clock

    def joined(
        self,
        class_id: str,
        participant_id: str,
        role: Role,
        external_id: str | None,
        name: str | None,
    ) -> int:
        """Record a connection; the returned row id goes to `left` when it closes."""
        with self._db.begin() as session:
            if session.get(ClassRecord, class_id) is None:
                raise ClassNotFound(class_id)
            row = AttendanceRecord(
                class_id=class_id,
                participant_id=participant_id,
                role=role,
                external_id=external_id,
                display_name=name,
                joined_at=self._clock(),
            )
            session.add(row)
            session.flush()
            return row.id

    def left(self, row_id: int, reason: str) -> None:
        """Close a connection's row; closing it again keeps the first leave (idempotent)."""
        if len(reason) > REASON_MAX:
            raise ValueError(f"leave reason longer than {REASON_MAX} characters")
        with self._db.begin() as session:
            row = session.get(AttendanceRecord, row_id)
            if row is None:
                raise ValueError(f"no attendance row {row_id}")
            if row.left_at is None:
                row.left_at = self._clock()
                row.leave_reason = reason

    def close_open(self, reason: str) -> int:
        """Close every open row of every class (the server is stopping); how many were open."""
        with self._db.begin() as session:
            return close_open_rows(session, self._clock(), reason)

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
    online_now = any(r.left_at is None for r in rows)
    return PersonAttendance(
        person=key,
        external_id=rows[-1].external_id,
        display_name=rows[-1].display_name,
        role=rows[-1].role,
        sessions=len(rows),
        first_join=rows[0].joined_at,
        last_leave=None if online_now else max(r.left_at for r in rows if r.left_at),
        online_now=online_now,
        seconds_online=_union_seconds((r.joined_at, r.left_at or now) for r in rows),
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
