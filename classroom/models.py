"""The database tables: classes, attendance, chat, removals, the room-control audit log and
the room schedule's decisions (SQLAlchemy 2.x ORM).

Attendance rows are the school's proof of how long each trainee attended, so every join and
every leave is one row that is never rewritten except to close it. Audit rows record who did
what to which room device or scene, and are never rewritten at all. Schedule rows record that
the room schedule has dealt with a class's start or end, so that a restarted server resumes
rather than runs a class's scenes again.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Enum, ForeignKey, Index, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from classroom.roles import Role

TITLE_MAX = 200
ROOM_MAX = 100
NAME_MAX = 100
EXTERNAL_ID_MAX = 128
PARTICIPANT_ID_MAX = 64
REASON_MAX = 64
HOLDER_MAX = 32
CLASS_ID_MAX = 16
AUDIT_TEXT_MAX = 500
CHAT_TEXT_MAX = 4000  # bytes of headroom over classroom.chat.CHAT_MAX_CHARS characters


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, whatever the database keeps."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware (UTC) datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class ClassStatus(str, enum.Enum):
    CREATED = "created"
    LIVE = "live"  # somebody has joined at least once
    ENDED = "ended"


def _values(e: type[enum.Enum]) -> list[str]:
    return [m.value for m in e]


class Base(DeclarativeBase):
    pass


class ClassRecord(Base):
    __tablename__ = "classes"

    id: Mapped[str] = mapped_column(String(CLASS_ID_MAX), primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    room: Mapped[str | None] = mapped_column(String(ROOM_MAX))
    status: Mapped[ClassStatus] = mapped_column(
        Enum(ClassStatus, native_enum=False, values_callable=_values, length=16), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # When the class is planned in its room: the room's schedule prepares the room before.
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The course the class belongs to (its roster, completion rule, question bank, library).
    course_id: Mapped[str | None] = mapped_column(
        ForeignKey("courses.id", ondelete="SET NULL"), index=True, nullable=True
    )


class AttendanceRecord(Base):
    __tablename__ = "attendance"
    # The heartbeat refreshes, and crash recovery closes, the open rows: find them by index.
    __table_args__ = (Index("ix_attendance_open", "left_at", "holder"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[str] = mapped_column(String(PARTICIPANT_ID_MAX))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, values_callable=_values, length=16)
    )
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX))
    display_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    leave_reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    # Crash safety (classroom/attendance.py): the process holding the open row, and the last
    # time it saw the connection; a row left open by a crash is closed at `last_seen_at`.
    holder: Mapped[str | None] = mapped_column(String(HOLDER_MAX), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AuditRecord(Base):
    """One act on a room: a device command, a scene run, a drift correction."""

    __tablename__ = "room_audit"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    room: Mapped[str] = mapped_column(String(ROOM_MAX), index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_name: Mapped[str] = mapped_column(String(NAME_MAX))
    target: Mapped[str] = mapped_column(String(ROOM_MAX))
    action: Mapped[str] = mapped_column(String(AUDIT_TEXT_MAX))
    result: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(AUDIT_TEXT_MAX))
    # The act as data for the pages to word in their language (devices/room/events.py);
    # nullable, so a database from before them gains the columns and keeps its rows.
    actor_class: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    event: Mapped[str | None] = mapped_column(String(16), nullable=True)
    args: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ChatRecord(Base):
    """One chat line of a class, public or private (lecturer to one participant)."""

    __tablename__ = "chat"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    sender_id: Mapped[str] = mapped_column(String(PARTICIPANT_ID_MAX))
    sender_name: Mapped[str] = mapped_column(String(NAME_MAX))
    sender_role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, values_callable=_values, length=16)
    )
    sender_identity: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX))
    text: Mapped[str] = mapped_column(String(CHAT_TEXT_MAX))
    to_id: Mapped[str | None] = mapped_column(String(PARTICIPANT_ID_MAX))
    to_name: Mapped[str | None] = mapped_column(String(NAME_MAX))
    to_identity: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX))


class RemovalRecord(Base):
    """A person the lecturer removed from a class: their link no longer opens it."""

    __tablename__ = "removals"

    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True)
    identity: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX), primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class ScheduleStepRecord(Base):
    """The room schedule dealt with one class's `start` or `end`: once per class, ever.

    `outcome` is ``ran`` (the scene was started) or ``skipped`` (with the reason in `detail`:
    the next class needed the room, people were still connected, too late...).
    """

    __tablename__ = "room_schedule_steps"

    class_id: Mapped[str] = mapped_column(
        ForeignKey("classes.id", ondelete="CASCADE"), primary_key=True
    )
    step: Mapped[str] = mapped_column(String(8), primary_key=True)  # "start" | "end"
    room: Mapped[str] = mapped_column(String(ROOM_MAX))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(AUDIT_TEXT_MAX))
