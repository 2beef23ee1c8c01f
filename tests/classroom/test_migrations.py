"""Alembic migrations: a database of the last release before them is adopted with its rows, a
fresh one is created at the newest revision, the migrations build exactly the models' schema,
and a database from a newer version or with a pending upgrade is refused clearly."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from classroom import classes, migrate
from classroom.attendance import AttendanceLog
from classroom.db import make_engine, open_database
from classroom.errors import DatabaseError
from classroom.models import Base

FIXTURE = Path(__file__).parents[1] / "fixtures" / "classbridge-pre-alembic.db"
REPOSITORY = Path(__file__).parents[2]
ROWS = {  # what tests/fixtures/make_release_db.py wrote
    "classes": 1, "attendance": 3, "chat": 1, "removals": 1, "room_schedule_steps": 1,
    "room_audit": 1, "courses": 1, "course_trainees": 1, "room_checkins": 1,
}


def _counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(path)) as c:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ROWS}


def _revision(path: Path) -> str | None:
    with closing(sqlite3.connect(path)) as c:
        row = c.execute("SELECT version_num FROM alembic_version").fetchone()
        return None if row is None else row[0]


@pytest.fixture
def release_db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "classbridge.db"
    path.parent.mkdir()
    shutil.copy(FIXTURE, path)
    return path


def test_a_database_of_the_previous_release_keeps_its_rows(release_db: Path) -> None:
    assert _counts(release_db) == ROWS
    db = open_database(f"sqlite:///{release_db}")
    assert _revision(release_db) == migrate.head()
    assert _counts(release_db) == ROWS
    report = AttendanceLog(db).report("lop1")
    assert report.title == "Lớp bồi dưỡng cán bộ"
    assert sorted(p.display_name for p in report.people) == ["Học viên 0", "Học viên 1", "Học viên 2"]
    with db() as session:
        assert session.execute(text("SELECT text FROM chat")).scalar() == "Chào thầy “ạ”"
    # The file as it was before the upgrade is kept beside it, once.
    kept = release_db.with_name("classbridge.db.before-upgrade-pre-migrations")
    assert _counts(kept) == ROWS
    with closing(sqlite3.connect(kept)) as c:
        assert c.execute("SELECT name FROM sqlite_master WHERE name='alembic_version'").fetchone() is None
    db.kw["bind"].dispose()
    open_database(f"sqlite:///{release_db}")  # already up to date: nothing to do, nothing copied
    assert sorted(p.name for p in release_db.parent.iterdir() if "before" in p.name) == [kept.name]


def test_a_fresh_database_is_created_at_the_newest_revision(tmp_path: Path) -> None:
    path = tmp_path / "classbridge.db"
    db = open_database(f"sqlite:///{path}")
    assert _revision(path) == migrate.head()
    classes.create(db, "Lớp mới")
    assert not [p for p in tmp_path.iterdir() if "before" in p.name]


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_the_migrations_build_the_models_schema(tmp_path: Path) -> None:
    """From the repository, as a developer would: `alembic upgrade head` on an empty database,
    then `alembic check` (no difference between the migrations and the models). A table added
    to the models without its migration fails here: write it with `alembic revision
    --autogenerate` (docs/deployment.md, "For developers: a schema change")."""
    url = f"sqlite:///{tmp_path / 'from-migrations.db'}"
    env = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    for args in (["upgrade", "head"], ["check"]):
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-x", f"url={url}", *args],
            cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    assert _revision(tmp_path / "from-migrations.db") == migrate.head()


def test_a_database_from_a_newer_version_is_refused_untouched(release_db: Path) -> None:
    open_database(f"sqlite:///{release_db}").kw["bind"].dispose()
    with closing(sqlite3.connect(release_db)) as c, c:
        c.execute("UPDATE alembic_version SET version_num = 'f00dcafe'")
    with pytest.raises(DatabaseError, match="f00dcafe.*newer classbridge"):
        open_database(f"sqlite:///{release_db}")
    assert _revision(release_db) == "f00dcafe" and _counts(release_db) == ROWS


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_manual_upgrades_refuse_to_start_until_db_upgrade(release_db: Path) -> None:
    with pytest.raises(DatabaseError, match="classbridge db upgrade"):
        open_database(f"sqlite:///{release_db}", upgrade=False)
    data = str(release_db.parent)
    cli = [str(Path(sys.executable).parent / "classbridge")]
    status = subprocess.run([*cli, "db", "status", "--data-dir", data], capture_output=True, text=True, timeout=60)
    assert "made before migrations" in status.stdout and "upgrade is pending" in status.stdout, status
    done = subprocess.run([*cli, "db", "upgrade", "--data-dir", data], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"to {migrate.head()}" in done.stdout and "before-upgrade" in done.stdout
    open_database(f"sqlite:///{release_db}", upgrade=False)  # now it opens
    assert _counts(release_db) == ROWS
    again = subprocess.run([*cli, "db", "upgrade", "--data-dir", data], capture_output=True, text=True, timeout=60)
    assert "up to date" in again.stdout


def test_a_failing_upgrade_leaves_the_database_as_it_was(release_db: Path) -> None:
    """An upgrade runs in one transaction: a migration that fails leaves the database as it was."""
    engine = make_engine(f"sqlite:///{release_db}")
    migrate.upgrade(engine)
    with engine.begin() as connection:  # as if the baseline had never run: it will fail
        command.stamp(migrate.alembic_config(connection), "base", purge=True)
    with pytest.raises(Exception, match="already exists"):
        migrate.upgrade(engine, keep_copy=False)
    engine.dispose()
    assert _revision(release_db) is None and _counts(release_db) == ROWS


def test_the_migrations_match_the_models_on_each_database(database_url: str) -> None:
    """Every migration from an empty database, on SQLite and on PostgreSQL: the schema they
    build is the models' schema, and start-up finds it up to date."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            command.upgrade(migrate.alembic_config(connection), "head")
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert migrate.schema_state(connection).up_to_date
    finally:
        engine.dispose()
    db = open_database(database_url, upgrade=False)
    assert classes.get(db, classes.create(db, "Lớp “mới”").id).title == "Lớp “mới”"
