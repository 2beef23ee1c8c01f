"""Bringing a database's schema to what this version's models expect: Alembic migrations.

Three kinds of database meet a new version:
- an empty one: the tables are created from the models and stamped with the newest revision
  (running every migration from the baseline would build the same schema, slower);
- one made before migrations existed (release 0.1.0 and older: tables, no `alembic_version`):
  the missing tables are created and the nullable columns added since are added (the way those
  releases upgraded themselves), then it is stamped with the newest revision;
- one Alembic manages: the pending migrations run, in one transaction.

Before changing an existing SQLite database, a copy is kept next to it
(`<file>.before-upgrade-<revision>`): a failed or unwanted upgrade is undone with
`classbridge restore`. A database at a revision this version does not know was made by a
newer classbridge: nothing is changed and the error says so.

The migrations live in classroom/migrations (inside the package, so any install has them).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from classroom.backup import backup
from classroom.db import sqlite_file
from classroom.errors import DatabaseError
from classroom.models import Base
from classroom.tables import models as _schema  # noqa: F401  (registers every table)

VERSION_TABLE = "alembic_version"
Kind = Literal["empty", "pre-migrations", "managed"]


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(files("classroom") / "migrations"))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "classroom/migrations has no revision"
    return revision


@dataclass(frozen=True)
class SchemaState:
    kind: Kind
    current: str | None  # the database's revision (None: not managed by Alembic yet)
    head: str  # the newest revision this version knows

    @property
    def up_to_date(self) -> bool:
        return self.kind == "managed" and self.current == self.head


@dataclass(frozen=True)
class Upgraded:
    before: SchemaState
    after: str
    kept: str | None  # the copy made before changing the database, if any


def schema_state(connection: Connection) -> SchemaState:
    tables = set(inspect(connection).get_table_names())
    newest = head()
    if VERSION_TABLE in tables:
        current = MigrationContext.configure(connection).get_current_revision()
        return SchemaState("managed", current, newest)
    return SchemaState("pre-migrations" if tables else "empty", None, newest)


def check_known(state: SchemaState) -> None:
    """DatabaseError when the database is at a revision this version does not have."""
    if state.current is None:
        return
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(state.current)
    except CommandError:
        raise DatabaseError(
            f"the database is at schema revision {state.current}, which this classbridge does "
            f"not know (its newest is {state.head}): it was upgraded by a newer classbridge; "
            "install that version again, or restore a backup made before the upgrade"
        ) from None


def upgrade(engine: Engine, keep_copy: bool = True) -> Upgraded:
    """Bring the database of `engine` to the newest revision (see the module's docstring)."""
    with engine.connect() as connection:
        before = schema_state(connection)
    check_known(before)
    if before.up_to_date:
        return Upgraded(before, before.head, None)
    kept = _keep_copy(engine, before) if keep_copy and before.kind != "empty" else None
    with engine.begin() as connection:
        config = alembic_config(connection)
        if before.kind == "managed":
            command.upgrade(config, "head")
        else:
            Base.metadata.create_all(connection)
            if before.kind == "pre-migrations":
                _add_new_columns(connection)
            command.stamp(config, "head")
    return Upgraded(before, before.head, kept)


def _keep_copy(engine: Engine, state: SchemaState) -> str | None:
    path = sqlite_file(engine.url)
    if path is None:
        return None
    copy = path.with_name(f"{path.name}.before-upgrade-{state.current or 'pre-migrations'}")
    if not copy.exists():
        backup(engine.url.render_as_string(hide_password=False), copy, whole_schema=False)
    return str(copy)


def _add_new_columns(connection: Connection) -> None:
    """ALTER TABLE ... ADD COLUMN for nullable columns the models have and a table lacks, and
    CREATE INDEX for its missing indexes (how releases before migrations brought an older
    database up to date)."""
    found = inspect(connection)
    for table in Base.metadata.sorted_tables:
        have = {c["name"] for c in found.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
        indexes = {i["name"] for i in found.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)
