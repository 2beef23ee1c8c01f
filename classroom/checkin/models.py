"""The check-in table: one row per trainee counted present in the room.

A trainee in the room checks in with the code the room's screen shows, and is present in the
room from ``checked_in_at`` until ``checked_out_at`` (they checked out) or, when that is empty,
the class's end. ``device`` is a digest of the phone's check-in cookie, so that one device
checks in one person per class.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from classroom.models import EXTERNAL_ID_MAX, NAME_MAX, Base, UtcDateTime

DEVICE_DIGEST_MAX = 64


class CheckInRecord(Base):
    __tablename__ = "room_checkins"
    __table_args__ = (
        UniqueConstraint("class_id", "external_id", name="one_checkin_per_trainee"),
        UniqueConstraint("class_id", "device", name="one_trainee_per_device"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    class_id: Mapped[str] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    device: Mapped[str] = mapped_column(String(DEVICE_DIGEST_MAX))
    checked_in_at: Mapped[datetime] = mapped_column(UtcDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
