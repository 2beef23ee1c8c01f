"""The database engine and session factory: SQLite by default, any SQLAlchemy URL otherwise.

SQLite is the embedded default (one file in the data directory). The server and the CLI may
write to it at once, so it runs in WAL mode with a busy timeout; foreign keys are off in SQLite
unless asked for, so every connection asks. Tables are created on start (no migrations yet).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from classroom.errors import DatabaseError
from classroom.models import Base

SQLITE_BUSY_TIMEOUT_MS = 5000


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
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_database(url: str) -> sessionmaker[Session]:
    """A session factory for `url`, with the tables created; DatabaseError if unreachable."""
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = make_engine(url)
        Base.metadata.create_all(engine)
    except (SQLAlchemyError, OSError, ImportError) as e:
        raise DatabaseError(f"cannot open the database {shown}: {e}") from None
    return sessionmaker(engine, expire_on_commit=False)
