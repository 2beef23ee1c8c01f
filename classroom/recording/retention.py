"""The retention rule per course: a course's class recordings are deleted `recording_retention_days`
days after they ended (CourseRecord; None keeps them). Uploaded e-lectures are the school's own
material and stay until someone deletes them.

The server sweeps when it starts and then every hour (`sweep_forever`); `classbridge recording
sweep` runs one sweep by hand. A recording still being written is never deleted; one a crashed
server left saying "recording" is judged by when it started. Every deletion is an audit entry.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from classroom.audit import AuditLog
from classroom.courses.models import CourseRecord
from classroom.recording.catalog import manifests
from classroom.recording.errors import StillRecording
from classroom.recording.library import Library, audit_deletion

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 3600.0


@dataclass(frozen=True)
class Swept:
    class_id: str
    recording_id: str
    course_id: str
    title: str


def retention_days(db: sessionmaker[Session]) -> dict[str, int]:
    """Courses that have a retention rule: course id -> days."""
    query = select(CourseRecord.id, CourseRecord.recording_retention_days).where(
        CourseRecord.recording_retention_days.is_not(None)
    )
    with db() as session:
        return {course: days for course, days in session.execute(query) if days is not None and days > 0}


def _when(value: object) -> datetime | None:
    try:
        found = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def expired(manifest: dict[str, object], days_by_course: dict[str, int], now: datetime) -> bool:
    """A class recording of a course with a rule, ended (or, left by a crash, started) more
    than that many days before `now`."""
    if manifest.get("source") == "upload":
        return False
    days = days_by_course.get(str(manifest.get("course_id")))
    if days is None:
        return False
    since = _when(manifest.get("ended_at")) or _when(manifest.get("started_at"))
    return since is not None and now - since > timedelta(days=days)


def sweep(library: Library, db: sessionmaker[Session], now: datetime, audit: AuditLog | None = None) -> list[Swept]:
    """Delete every expired recording; returns what was deleted."""
    days_by_course = retention_days(db)
    if not days_by_course:
        return []
    swept = []
    for manifest in manifests(library.storage):
        if not expired(manifest, days_by_course, now):
            continue
        class_id, recording_id = str(manifest.get("class_id")), str(manifest.get("id"))
        course_id = str(manifest.get("course_id"))
        try:
            library.delete(class_id, recording_id)
        except StillRecording:
            continue
        except FileNotFoundError:
            continue  # deleted meanwhile (a person, or another sweep)
        if audit is not None:
            audit_deletion(
                audit, manifest, at=now, actor_kind="system", actor_name="",
                reason="retention", days=days_by_course[course_id],
            )
        log.info("retention: deleted recording %s/%s of course %s", class_id, recording_id, course_id)
        swept.append(Swept(class_id, recording_id, course_id, str(manifest.get("title", ""))))
    return swept


async def sweep_forever(
    library: Library,
    db: sessionmaker[Session],
    audit: AuditLog | None,
    interval_s: float = SWEEP_INTERVAL_S,
    wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Sweep now and then every `interval_s`, off the event loop; a failed sweep is logged and
    tried again next time (a database that is away must not stop the server)."""
    while True:
        try:
            await asyncio.to_thread(sweep, library, db, wall_clock(), audit)
        except Exception:  # noqa: BLE001 - the next sweep tries again
            log.exception("the recordings' retention sweep failed")
        await asyncio.sleep(interval_s)
