"""The table of what trainees watched of their course's recordings."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from classroom.courses.models import COURSE_ID_MAX
from classroom.models import EXTERNAL_ID_MAX, Base

RECORDING_KEY_MAX = 160  # "<class id>/<recording id>"


class WatchedRangeRecord(Base):
    """A stretch of a recording a trainee played (seconds on its time line), merged on save."""

    __tablename__ = "watched_ranges"
    __table_args__ = (Index("ix_watched_ranges_person", "course_id", "external_id", "recording"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(String(COURSE_ID_MAX), ForeignKey("courses.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(EXTERNAL_ID_MAX))
    recording: Mapped[str] = mapped_column(String(RECORDING_KEY_MAX))
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
