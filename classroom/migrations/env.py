"""Alembic's environment: the connection classroom/migrate.py hands over, or, for the
`alembic` command run from the repository (new revisions), the URL given with `-x url=...`
(default: CLASSBRIDGE_DATABASE_URL, else ./data/classbridge.db).

Custom column types are written into migrations as the plain SQLAlchemy type they store
(UtcDateTime as DateTime), so that a migration never imports today's model code.
"""

from __future__ import annotations

import os
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection, TypeDecorator

from classroom.db import make_engine
from classroom.models import Base
from classroom.tables import models as _schema  # noqa: F401  (registers every table)

DEFAULT_URL = "sqlite:///data/classbridge.db"


def _render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl_instance!r}"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters a table by copying it: batch mode does that
        render_item=_render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if isinstance(given, Connection):
    _run(given)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or os.environ.get(
        "CLASSBRIDGE_DATABASE_URL", DEFAULT_URL
    )
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()
