"""The database engine and session factory: SQLite by default, any SQLAlchemy URL otherwise.

SQLite is the embedded default (one file in the data directory). The server and the CLI may
write to it at once, so it runs in WAL mode with a busy timeout; foreign keys are off in SQLite
unless asked for, so every connection asks. Opening a database brings its schema up to date
(classroom/migrate.py: Alembic migrations), unless the caller asks only to check it.

The SQLite file holds trainees' names and attendance: it is created readable by its owner only
(0600, like the signing keys), before SQLite opens it. SQLite creates the `-wal` and `-shm`
files later with the database file's own mode, so they are 0600 too. Files left wider by an
older version are narrowed when the database is opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from classroom.errors import DatabaseError

SQLITE_BUSY_TIMEOUT_MS = 5000
OWNER_ONLY = 0o600


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    file = sqlite_file(parsed)
    if file is None:
        # One shared connection, or every new connection would see an empty database.
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        _owner_only(file)
        engine = create_engine(parsed)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _owner_only(path: Path) -> None:
    """Create the database file 0600 if missing; narrow it and its -wal/-shm if wider."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, OWNER_ONLY))  # an empty file is an empty database
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.stat().st_mode & 0o777 & ~OWNER_ONLY:
                file.chmod(OWNER_ONLY)
        except FileNotFoundError:
            pass


def open_database(url: str, upgrade: bool = True) -> sessionmaker[Session]:
    """A session factory for `url` with the schema up to date; DatabaseError if unreachable,
    or, with `upgrade` False, if the schema needs an upgrade (`classbridge db upgrade`)."""
    from classroom import migrate  # it imports this module

    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(url)
        if upgrade:
            migrate.upgrade(engine)
        else:
            with engine.connect() as connection:
                state = migrate.schema_state(connection)
            migrate.check_known(state)
            if not state.up_to_date:
                raise DatabaseError(
                    f"the database {shown} needs a schema upgrade ({state.current or state.kind}"
                    f" to {state.head}): run `classbridge db upgrade` (database_upgrade is manual)"
                )
    except (SQLAlchemyError, OSError, ImportError) as e:
        raise DatabaseError(f"cannot open the database {shown}: {e}") from None
    return sessionmaker(engine, expire_on_commit=False)


def close_database(db: sessionmaker[Session]) -> None:
    """At a clean stop: fold SQLite's WAL back into the database file, then close every pooled
    connection, so that the file alone holds everything (an operator may copy just it)."""
    engine = db.kw["bind"]
    assert isinstance(engine, Engine)
    try:
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except SQLAlchemyError:
        pass  # SQLite checkpoints by itself when the last connection closes, just below
    finally:
        engine.dispose()
