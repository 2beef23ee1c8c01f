from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
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


def test_an_older_database_gets_the_new_nullable_columns(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # the classes table as the first release created it
        old.execute(
            "CREATE TABLE classes (id VARCHAR(16) PRIMARY KEY, title VARCHAR(200), room VARCHAR(100),"
            " status VARCHAR(16), created_at DATETIME, started_at DATETIME, ended_at DATETIME)"
        )
        old.execute("INSERT INTO classes VALUES ('abc', 'Lớp cũ', NULL, 'created', '2025-01-01 00:00:00', NULL, NULL)")
    db = open_database(f"sqlite:///{path}")
    info = classes.get(db, "abc")
    assert info.title == "Lớp cũ" and info.starts_at is None


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_database_wal_and_shm_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        path = tmp_path / "classbridge.db"
        db = open_database(f"sqlite:///{path}")
        classes.create(db, "Lớp thử")  # a write: SQLite creates the -wal and -shm files
        files = [path, tmp_path / "classbridge.db-wal", tmp_path / "classbridge.db-shm"]
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        os.umask(old)


def test_an_older_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "classbridge.db"
    classes.create(open_database(f"sqlite:///{path}"), "Lớp thử")
    for f in tmp_path.iterdir():
        f.chmod(0o644)
    open_database(f"sqlite:///{path}")
    assert {f.name: _mode(f) for f in tmp_path.iterdir()} == {f.name: 0o600 for f in tmp_path.iterdir()}
