"""The retention rule on a real data directory: `classbridge library sweep` deletes a course's
recordings older than its days, and the server sweeps when it starts (then hourly); younger
recordings and courses without a rule keep theirs. Each deletion is in the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from classroom.audit import AuditLog
from classroom.courses.models import CourseRecord
from classroom.db import open_database
from signaling.cli.main import app
from tests.support.recordings import make_recording
from tests.support.wait import wait_until
from tests.web.support import ClassServer


def aged(storage: Path, class_id: str, course: str, days: float) -> Path:
    """A finished recording of `course` that ended `days` ago."""
    recording = make_recording(storage, class_id, course, f"Buổi {class_id}", seconds=1, screen_from=0.5)
    manifest_path = recording.folder / "recording.json"
    manifest = json.loads(manifest_path.read_text())
    ended = datetime.now(UTC) - timedelta(days=days)
    manifest["started_at"], manifest["ended_at"] = (ended - timedelta(hours=1)).isoformat(), ended.isoformat()
    manifest_path.write_text(json.dumps(manifest))
    return recording.folder


def sweep(data_dir: Path) -> str:
    result = CliRunner().invoke(app, ["library", "sweep", "--data-dir", str(data_dir)], env={"CLASSBRIDGE_ADMIN_TOKEN": "x" * 32})
    assert result.exit_code == 0, result.output
    return result.output


def test_the_cli_and_the_server_at_start_sweep_old_recordings(tmp_path: Path) -> None:
    server = ClassServer(tmp_path / "data")
    assert "0 recording(s) deleted" in sweep(server.data_dir)  # and the database is made
    db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
    with db.begin() as session:
        session.add(CourseRecord(id="K12", title="Khóa 12", created_at=datetime(2026, 1, 1, tzinfo=UTC), recording_retention_days=30))
        session.add(CourseRecord(id="K13", title="Khóa 13", created_at=datetime(2026, 1, 1, tzinfo=UTC)))
    storage = server.data_dir / "recordings"
    old, young, other = aged(storage, "c1", "K12", 31), aged(storage, "c2", "K12", 29), aged(storage, "c3", "K13", 400)

    output = sweep(server.data_dir)
    assert "1 recording(s) deleted" in output and "c1/r1" in output
    assert not old.exists() and young.exists() and other.exists()

    later = aged(storage, "c4", "K12", 45)
    server.start()
    try:
        wait_until(lambda: not later.exists(), what="the sweep at start", describe=lambda: server.log_path.read_text()[-3000:])
        assert young.exists() and other.exists()
        swept = [e for e in AuditLog(db).entries() if e.event == "lecture_deleted"]
        assert sorted(e.detail.split(",")[0] for e in swept) == ["c1/r1", "c4/r1"]
        assert all(e.actor_kind == "system" and e.args and e.args["days"] == 30 for e in swept)
    finally:
        server.stop()
