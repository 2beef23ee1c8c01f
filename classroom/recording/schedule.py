"""Recording by schedule: a course may record every one of its classes from its start.

When a class of such a course opens in this process (its first join), the recording starts at
once, or at the class's planned start (`starts_at`) when people came early; it is started by
nobody (`by` None), shown like any recording, and the lecturer may stop it (it then stays
stopped while the class runs in this process, even if everyone leaves and comes back). When
recording is off or storage refuses, the class goes on unrecorded (classroom/live_class.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from classroom.audit import AuditLog
from classroom.courses.models import CourseRecord
from classroom.errors import RecordingUnavailable
from classroom.events import ClassSummary
from classroom.live_class import LiveClass
from classroom.models import ClassRecord

logger = logging.getLogger(__name__)

# Runs a callback after a delay in seconds (`loop.call_later`; a test's ManualClock.schedule).
CallLater = Callable[[float, Callable[[], object]], object]


# Told when a scheduled recording cannot start (the class, why): the technicians' log.
OnRefused = Callable[[ClassSummary, str], None]


@dataclass(frozen=True)
class RecordingPlan:
    """A class its course records: from `starts_at` (None: from its first join)."""

    starts_at: datetime | None


class RecordingSchedule(Protocol):
    async def plan(self, class_id: str) -> RecordingPlan | None:
        """None: the class is not recorded by schedule."""


def recording_plan(db: sessionmaker[Session], class_id: str) -> RecordingPlan | None:
    with db() as session:
        record = session.get(ClassRecord, class_id)
        if record is None or record.course_id is None:
            return None
        course = session.get(CourseRecord, record.course_id)
        if course is None or not course.record_classes:
            return None
        return RecordingPlan(record.starts_at)


class CourseRecordingSchedule:
    """`RecordingSchedule` from the database: the class's course's `record_classes`."""

    def __init__(self, db: sessionmaker[Session]):
        self.db = db

    async def plan(self, class_id: str) -> RecordingPlan | None:
        return await run_in_threadpool(recording_plan, self.db, class_id)


def _now() -> datetime:
    return datetime.now(UTC)


def audit_refusals(audit: AuditLog, wall_clock: Callable[[], datetime] = _now) -> OnRefused:
    """A scheduled recording that could not start, as an event in the technicians' console log."""

    def refused(summary: ClassSummary, why: str) -> None:
        audit.record(at=wall_clock(), room=summary.room or "", actor_kind="system",
                     actor_name="recorder", actor_class=summary.id, target=summary.title,
                     action="recording_scheduled", result="failed", detail=why)  # fmt: skip

    return refused


class AutoRecorder:
    """Starts the recordings the schedule asks for, in the classes the hub opens."""

    def __init__(
        self,
        schedule: RecordingSchedule,
        call_later: CallLater,
        wall_clock: Callable[[], datetime] = _now,
        on_refused: OnRefused | None = None,
    ):
        self._schedule = schedule
        self._on_refused = on_refused
        self._call_later = call_later
        self._wall_clock = wall_clock
        self._declined: set[str] = set()  # a lecturer stopped it; not started again here

    async def opened(self, live: LiveClass, is_open: Callable[[], bool]) -> None:
        """`live` was just opened; `is_open` says later whether it still runs (not dropped)."""
        class_id = live.summary.id
        if class_id in self._declined:
            return
        try:
            plan = await self._schedule.plan(class_id)
        except Exception:  # the class goes on unrecorded; the log says why
            logger.exception("class %s: cannot read whether its course records it", class_id)
            return
        if plan is None:
            return
        delay = 0.0 if plan.starts_at is None else (plan.starts_at - self._wall_clock()).total_seconds()
        if delay <= 0:
            self._start(live)
            return

        def at_start() -> None:
            if is_open() and class_id not in self._declined:
                self._start(live)

        self._call_later(delay, at_start)

    def _start(self, live: LiveClass) -> None:
        """Start it; nothing that goes wrong here may break the join that opened the class."""
        try:
            live.record_by_schedule()
        except RecordingUnavailable as refused:
            logger.warning("class %s: its course records every class, but %s", live.summary.id, refused)
            try:
                if self._on_refused is not None:
                    self._on_refused(live.summary, str(refused))
            except Exception:
                logger.exception("class %s: cannot log the refused recording", live.summary.id)
        except Exception:
            logger.exception("class %s: the scheduled recording did not start", live.summary.id)

    def closed(self, live: LiveClass) -> None:
        """Everyone left: a recording the lecturer stopped stays stopped when they come back."""
        if live.recording_declined:
            self._declined.add(live.summary.id)
