"""Recordings on disk: what the composition root needs to make them, and to find them again.

A recording's folder (`<storage>/<class id>/<recording id>/`) holds its track files and
`recording.json` (classroom/recording/recording.py), which is the record of it: the pre-join
page and the library read the manifests, so every process of the server sees the same
recordings without asking the media worker that records.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from classroom.events import ClassSummary
from classroom.models import ClassRecord
from classroom.audit import AuditLog
from classroom.recording.recording import (
    MANIFEST,
    STORAGE_REASONS,
    Recording,
    RecordingFactory,
    StopReason,
    StoragePolicy,
)


def course_of(db: sessionmaker[Session], class_id: str) -> str | None:
    with db() as session:
        record = session.get(ClassRecord, class_id)
        return record.course_id if record is not None else None


def recording_factory(
    storage: StoragePolicy,
    course: Callable[[str], str | None],
    audit: AuditLog | None = None,
    wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> RecordingFactory:
    """Recordings of classes into `storage`, each labelled with its class's course; a recording
    that storage stopped is also an event in the console's log (`audit`)."""

    def make(summary: ClassSummary, by: str | None, on_stopped: Callable[[StopReason], None]) -> Recording:
        def stopped(reason: StopReason) -> None:
            if audit is not None and reason in STORAGE_REASONS:
                audit.record(
                    at=wall_clock(),
                    room=summary.room or "",
                    actor_kind="system",
                    actor_name="recorder",
                    actor_class=summary.id,
                    target=summary.title,
                    action="recording_stopped",
                    result="failed",
                    detail=f"{reason.value}: {storage.folder}",
                )
            on_stopped(reason)

        recording_id = f"{wall_clock():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        info: dict[str, object] = {
            "class_id": summary.id,
            "course_id": course(summary.id),
            "title": summary.title,
            "room": summary.room,
            "lecturer": by,  # None until a lecturer joins a recording the schedule started
            "started_by": "lecturer" if by is not None else "schedule",
        }
        return Recording(recording_id, storage, info, stopped, wall_clock=wall_clock)

    return make


def manifests(storage: Path, class_id: str | None = None) -> list[dict[str, object]]:
    """Every readable recording manifest (of one class), oldest first."""
    pattern = f"{class_id}/*/{MANIFEST}" if class_id else f"*/*/{MANIFEST}"
    found = []
    for path in sorted(storage.glob(pattern)):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found.append(data)
    return sorted(found, key=lambda m: str(m.get("started_at", "")))


def is_recording(storage: Path, class_id: str) -> bool:
    """True while a recording of the class is running (its manifest says so)."""
    return any(m.get("status") == "recording" for m in manifests(storage, class_id))
