from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from classroom.db import open_database
from classroom.errors import DatabaseError


def test_creates_file_tables_wal_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "classbridge.db"
    db = open_database(f"sqlite:///{path}")
    assert path.exists()
    with db() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        assert {"classes", "attendance"} <= set(inspect(session.get_bind()).get_table_names())


def test_foreign_keys_are_enforced(db: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), db.begin() as session:
        session.execute(
            text(
                "INSERT INTO attendance (class_id, participant_id, role, joined_at)"
                " VALUES ('missing', 'p', 'trainee', '2025-01-01 00:00:00')"
            )
        )


def test_reopening_keeps_data(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_database(url).begin() as session:
        session.execute(
            text(
                "INSERT INTO classes (id, title, status, created_at) VALUES ('a', 't', 'created', '2025-01-01')"
            )
        )
    with open_database(url)() as session:
        assert session.execute(text("SELECT title FROM classes")).scalar() == "t"


def test_in_memory_database_is_shared_between_sessions() -> None:
    db = open_database("sqlite://")
    with db.begin() as session:
        session.execute(
            text(
                "INSERT INTO classes (id, title, status, created_at) VALUES ('a', 't', 'created', '2025-01-01')"
            )
        )
    with db() as session:
        assert session.execute(text("SELECT count(*) FROM classes")).scalar() == 1


def test_unopenable_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(DatabaseError, match="cannot open the database sqlite:///"):
        open_database(f"sqlite:///{blocker}/sub/classbridge.db")
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(DatabaseError, match="cannot open the database"):
        open_database(f"sqlite:///{tmp_path / 'dir.db'}")


def test_missing_driver_is_a_clear_error_without_password() -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database("postgresql+nosuchdriver://cb:hunter2@127.0.0.1/cb")
    assert "hunter2" not in caught.value.message and "***" in caught.value.message
