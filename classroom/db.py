"""The database engine and session factory: SQLite by default, any SQLAlchemy URL otherwise.

SQLite is the embedded default (one file in the data directory). The server and the CLI may
write to it at once, so it runs in WAL mode with a busy timeout; foreign keys are off in SQLite
unless asked for, so every connection asks. Tables are created on start (no migrations yet);
a nullable column added to a table since the database was created is added to it then, so
that an older data directory keeps working.

The SQLite file holds trainees' names and attendance: it is created readable by its owner only
(0600, like the signing keys), before SQLite opens it. SQLite creates the `-wal` and `-shm`
files later with the database file's own mode, so they are 0600 too. Files left wider by an
older version are narrowed when the database is opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from classroom.errors import DatabaseError
from classroom.models import Base
from classroom.tables import models as _schema  # noqa: F401  (registers every table)

SQLITE_BUSY_TIMEOUT_MS = 5000
OWNER_ONLY = 0o600


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    if parsed.database in (None, "", ":memory:"):
        # One shared connection, or every new connection would see an empty database.
        engine = create_engine(
            parsed, poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
    else:
        _owner_only(Path(parsed.database))
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


def _add_new_columns(engine: Engine) -> None:
    """ALTER TABLE ... ADD COLUMN for nullable columns the models have and a table lacks, and
    CREATE INDEX for its indexes it lacks."""
    found = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            have = {c["name"] for c in found.get_columns(table.name)}
            for column in table.columns:
                if column.name not in have and column.nullable:
                    kind = column.type.compile(dialect=engine.dialect)
                    connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
            indexes = {i["name"] for i in found.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in indexes:
                    index.create(connection)


def open_database(url: str) -> sessionmaker[Session]:
    """A session factory for `url`, with the tables created; DatabaseError if unreachable."""
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        _add_new_columns(engine)
    except (SQLAlchemyError, OSError, ImportError) as e:
        raise DatabaseError(f"cannot open the database {shown}: {e}") from None
    return sessionmaker(engine, expire_on_commit=False)
