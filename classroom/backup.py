"""A consistent copy of the database while the server writes to it, and putting one back.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the pages of one committed
state, WAL included, while the server keeps writing; copying the file itself would miss what
is still in the `-wal` file, or catch it half-written. The copy goes to a temporary file next
to the destination and is renamed into place once SQLite has checked it, so a failed backup
never leaves a truncated file under the name the operator asked for.

PostgreSQL has its own tools that do this better than we could (`pg_dump`, `pg_restore`):
for it `backup` and `restore` refuse with the exact command to run.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from classroom.db import OWNER_ONLY, sqlite_file
from classroom.errors import ClassroomError

REQUIRED_TABLES = ("classes", "attendance")  # what makes a file a classbridge database


class BackupError(ClassroomError):
    """A backup or a restore could not be made; the message says why and what to do."""

    code = "backup_failed"


@dataclass(frozen=True)
class BackupReport:
    path: Path
    classes: int
    attendance_rows: int


def backup(url: str, destination: Path, whole_schema: bool = True) -> BackupReport:
    """Copy the database of `url` to `destination` (a new SQLite file, 0600); `whole_schema`
    False copies a database that lacks tables (an old one, before its upgrade)."""
    source = _sqlite_source(url, "backup")
    if destination.exists() and destination.is_dir():
        raise BackupError(f"{destination} is a directory: give the backup file's name")
    if destination.resolve() == source.resolve():
        raise BackupError("the backup file must not be the database itself")
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = destination.with_name(f".{destination.name}.{os.getpid()}.partial")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, OWNER_ONLY))
    try:
        with _connect(source, readonly=True) as src, _connect(tmp) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        report = _check(tmp, destination, whole_schema)
        os.replace(tmp, destination)
    except sqlite3.Error as e:
        raise BackupError(f"cannot back up {source}: {e}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return report


def restore(url: str, source: Path) -> BackupReport:
    """Replace the database of `url` with the backup `source` (the server must be stopped)."""
    target = _sqlite_source(url, "restore")
    if not source.is_file():
        raise BackupError(f"{source} does not exist or is not a file")
    try:
        report = _check(source, source)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, OWNER_ONLY))
        with _connect(source, readonly=True) as src, _connect(target) as dst:
            src.backup(dst)  # page by page, through SQLite: its WAL and locks stay right
            dst.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as e:
        raise BackupError(f"cannot restore {source} into {target}: {e}") from None
    return BackupReport(target, report.classes, report.attendance_rows)


def _sqlite_source(url: str, action: str) -> Path:
    parsed = make_url(url)
    path = sqlite_file(parsed)
    if path is not None:
        if action == "backup" and not path.is_file():
            raise BackupError(f"there is no database at {path} yet")
        return path
    if parsed.get_backend_name() == "postgresql":
        raise BackupError(_postgres_advice(parsed, action))
    shown = parsed.render_as_string(hide_password=True)
    raise BackupError(f"{action} handles SQLite files; use your database's own tools for {shown}")


def _postgres_advice(url: URL, action: str) -> str:
    target = f"--host={url.host or 'localhost'} --port={url.port or 5432}"
    target += f" --username={url.username or 'classbridge'} {url.database or 'classbridge'}"
    if action == "backup":
        command = f"pg_dump --format=custom --file=FILE {target}"
    else:
        command = f"pg_restore --clean --if-exists --single-transaction --dbname={target.rsplit(' ', 1)[1]}"
        command += " " + target.rsplit(" ", 1)[0] + " FILE"
    return (
        f"the database is PostgreSQL: PostgreSQL's own tool makes a consistent copy while "
        f"the server runs; run\n  {command}\n(see docs/deployment.md, 'Backups')"
    )


@contextmanager
def _connect(path: Path, readonly: bool = False) -> Iterator[sqlite3.Connection]:
    uri = f"file:{path}?mode={'ro' if readonly else 'rw'}"
    with closing(sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)) as connection:
        connection.execute("PRAGMA busy_timeout=30000")
        yield connection


def _check(path: Path, shown: Path, whole_schema: bool = True) -> BackupReport:
    """The file is an intact classbridge database; count what it holds."""
    try:
        with _connect(path, readonly=True) as c:
            verdict = c.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"{shown} is damaged: {verdict}")
            tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            missing = [t for t in REQUIRED_TABLES if t not in tables]
            if missing and not whole_schema:
                return BackupReport(shown, 0, 0)
            if missing:
                raise BackupError(f"{shown} is not a classbridge database (no {', '.join(missing)} table)")
            classes = c.execute("SELECT count(*) FROM classes").fetchone()[0]
            rows = c.execute("SELECT count(*) FROM attendance").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"{shown} is not a SQLite database: {e}") from None
    return BackupReport(shown, int(classes), int(rows))
