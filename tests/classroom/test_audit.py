"""The audit log: rows added, listed newest first per room, exported for spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from classroom.audit import CSV_COLUMNS, AuditLog, audit_csv
from classroom.db import open_database

T0 = datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


def log(tmp_path: Path) -> AuditLog:
    return AuditLog(open_database(f"sqlite:///{tmp_path / 'db.sqlite'}"))


def add(audit: AuditLog, minutes: int, room: str = "room-101", **extra: str) -> None:
    fields = {
        "room": room, "actor_kind": "technician", "actor_name": "Anh Tuấn", "target": "display",
        "action": "input hdmi1", "result": "ok", **extra,
    }  # fmt: skip
    audit.record(at=T0 + timedelta(minutes=minutes), **fields)


def test_entries_newest_first_by_room_and_paged(tmp_path: Path) -> None:
    audit = log(tmp_path)
    for minute in range(5):
        add(audit, minute)
    add(audit, 9, room="room-102", action="scene start")
    newest = audit.entries()
    assert [e.room for e in newest[:2]] == ["room-102", "room-101"]
    assert [e.at.minute for e in audit.entries("room-101")] == [4, 3, 2, 1, 0]
    page = audit.entries("room-101", limit=2)
    assert [e.at.minute for e in audit.entries("room-101", limit=2, before=page[-1].id)] == [2, 1]
    assert newest[0].at.tzinfo is UTC


def test_long_texts_are_cut_not_refused(tmp_path: Path) -> None:
    audit = log(tmp_path)
    add(audit, 0, detail="x" * 2000)
    (entry,) = audit.entries()
    assert len(entry.detail) == 500 and entry.detail.endswith("…")


def test_csv_for_excel(tmp_path: Path) -> None:
    audit = log(tmp_path)
    add(audit, 0, actor_name="=HYPERLINK(1)", detail="failed: a, b")
    text = audit_csv(audit.entries())
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == CSV_COLUMNS
    assert rows[1][4] == "'=HYPERLINK(1)" and rows[1][9] == "failed: a, b"


def test_an_entry_keeps_its_act_as_data_for_the_pages(tmp_path: Path) -> None:
    """The console words an audit entry in its language from `event`, `args` and `error`;
    rows written before those columns existed come back with None."""
    audit = log(tmp_path)
    add(audit, 0)
    audit.record(
        at=T0, room="room-101", actor_kind="technician", actor_name="Anh Tuấn", target="display",
        action="input scart9", result="failed", detail="no input 'scart9'",
        event="command", args={"do": "input", "input": "scart9"}, error="unsupported",
    )  # fmt: skip
    newest, older = audit.entries()
    assert (newest.event, newest.args, newest.error) == ("command", {"do": "input", "input": "scart9"}, "unsupported")
    assert (older.event, older.args, older.error) == (None, None, None)
