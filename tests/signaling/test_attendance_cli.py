"""`classbridge attendance verify CLASS`: OK on an untouched class; names a row edited and an
event deleted directly in the SQLite file, with exit code 3."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from classroom.roles import Role
from tests.signaling.test_cli import create, run, services


def test_verify_ok_then_edited_then_deleted(tmp_path: Path) -> None:
    cid = create(tmp_path)["id"]
    log = services(tmp_path).attendance
    log.left(log.joined(cid, "p1", Role.TRAINEE, "HV1", "Nguyễn Thị Lan"), "left")
    log.joined(cid, "p2", Role.TRAINEE, "HV2", "Trần Văn Minh")
    assert run(tmp_path, "attendance", "verify", cid).startswith("OK: 3 events, chain head ")
    with sqlite3.connect(tmp_path / "classbridge.db") as db:
        db.execute("UPDATE attendance SET joined_at = '2020-01-01 00:00:00.000000' WHERE external_id = 'HV2'")
    out = run(tmp_path, "attendance", "verify", cid, code=3)
    assert out == "TAMPERED: attendance row 2 was edited: joined_at differs from the chained events\n"
    with sqlite3.connect(tmp_path / "classbridge.db") as db:
        db.execute("DELETE FROM attendance_events WHERE position = 2")
    verdict = json.loads(run(tmp_path, "attendance", "verify", cid, "--json", code=3))
    assert {(p["problem"], p["position"]) for p in verdict["problems"]} >= {("event_deleted", 2)}
    assert "there is no class" in run(tmp_path, "attendance", "verify", "nope", code=1)
