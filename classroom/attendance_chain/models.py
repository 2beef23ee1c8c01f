"""The attendance event table: one row per join, leave or close (and in-room check-in), each
carrying the hash of the previous event of its class and its own SHA-256 (see encoding.py).

Rows are only ever inserted. ``position`` counts a class's events from 1, so that a deleted
row leaves a gap the verifier names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom.models import EXTERNAL_ID_MAX, NAME_MAX, PARTICIPANT_ID_MAX, REASON_MAX, Base, UtcDateTime

KIND_MAX = 16
HASH_HEX = 64


class AttendanceEventRecord(Base):
    __tablename__ = "attendance_events"
    __table_args__ = (UniqueConstraint("class_id", "position", name="one_event_per_position"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    attendance_id: Mapped[int | None] = mapped_column(nullable=True)  # the attendance row, if any
    participant_id: Mapped[str | None] = mapped_column(String(PARTICIPANT_ID_MAX), nullable=True)
    role: Mapped[str | None] = mapped_column(String(16), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(EXTERNAL_ID_MAX), nullable=True)
    name: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX), nullable=True)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)  # check-in details...
    prev_hash: Mapped[str] = mapped_column(String(HASH_HEX))
    hash: Mapped[str] = mapped_column(String(HASH_HEX))
