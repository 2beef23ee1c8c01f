"""The retention rule per course, swept with an injected clock: class recordings older than
the course's days go (audited), others stay: younger ones, other courses' and courses without a
rule, uploads, and a recording still being written; one a crash left saying "recording" goes."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classroom.audit import AuditLog
from classroom.courses.models import CourseRecord
from classroom.recording.library import Library
from classroom.recording.recording import Recording, StoragePolicy
from classroom.recording.retention import sweep
from classroom.recording.upload import UploadInfo, Uploads
from tests.support.recordings import make_recording
from tests.support.uploads import make_pdf

ENDED = datetime(2026, 12, 2, 8, 0, 20, tzinfo=UTC)  # make_recording's recordings end then


def unfinished(storage: Path, class_id: str, started: datetime) -> Recording:
    """A recording whose manifest says "recording" (running, or left by a crash)."""
    info: dict[str, object] = {"class_id": class_id, "course_id": "K12", "title": "Đang ghi", "lecturer": "An"}
    recording = Recording("r1", StoragePolicy(storage, min_free_bytes=0), info, lambda r: None, wall_clock=lambda: started)
    recording.start()
    return recording


def test_the_sweep_deletes_what_the_course_rule_says_and_nothing_else(db, tmp_path: Path) -> None:
    created = datetime(2026, 1, 1, tzinfo=UTC)
    with db.begin() as session:
        session.add(CourseRecord(id="K12", title="Khóa 12", created_at=created, recording_retention_days=30))
        session.add(CourseRecord(id="K13", title="Khóa 13", created_at=created))
    make_recording(tmp_path, "c1", "K12", "Buổi 1", seconds=1, screen_from=0.5)
    make_recording(tmp_path, "c2", "K13", "Khóa không có quy định", seconds=1, screen_from=0.5)
    make_recording(tmp_path, "c3", None, "Lớp không thuộc khóa nào", seconds=1, screen_from=0.5)
    running = unfinished(tmp_path, "c4", ENDED)
    crashed = unfinished(tmp_path, "c5", ENDED)
    old = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    for path in [crashed.folder, *crashed.folder.iterdir()]:
        os.utime(path, (old, old))
    uploads = Uploads(tmp_path, wall_clock=lambda: ENDED - timedelta(days=100))
    part = uploads.incoming_file()
    make_pdf(part)
    uploads.create("K12", part, UploadInfo("Tài liệu tải lên"), "admin")
    library, audit = Library(tmp_path), AuditLog(db)

    def left() -> set[str]:
        return {f"{m['class_id']}" for m in library.course_recordings("K12")} | {
            str(m["class_id"]) for c in ("K13",) for m in library.course_recordings(c)
        }

    assert sweep(library, db, ENDED + timedelta(days=29), audit) == []
    assert left() == {"c1", "c2", "c4", "c5", "upload-K12"}
    swept = sweep(library, db, ENDED + timedelta(days=31), audit)
    assert sorted(s.class_id for s in swept) == ["c1", "c5"]
    assert left() == {"c2", "c4", "upload-K12"}
    assert not (tmp_path / "c1" / "r1").exists() and not crashed.folder.exists() and running.folder.exists()
    assert (tmp_path / "c3" / "r1").exists()
    entries = audit.entries()
    assert {(e.event, e.actor_name, e.target) for e in entries} == {
        ("lecture_deleted", "", "Buổi 1"),
        ("lecture_deleted", "", "Đang ghi"),
    }
    assert all(e.args and e.args["reason"] == "retention" and e.args["days"] == 30 for e in entries)
    assert sweep(library, db, ENDED + timedelta(days=31), audit) == []  # nothing left to do
