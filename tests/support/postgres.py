"""A real PostgreSQL server for the database tests: a throwaway cluster in a temporary
directory, on 127.0.0.1 and a free port, started once per test session.

`TEST_POSTGRES_URL` (a SQLAlchemy URL to a server whose user may CREATE DATABASE) uses a server
of your own instead. Without either, the PostgreSQL variants are skipped on a developer's
machine, but fail when `TEST_REQUIRE_POSTGRES=1` (scripts/test.sh sets it: CI must run them).
Debian's `postgresql` package (scripts/install.sh --test) provides initdb and pg_ctl; as root
the cluster runs as the `postgres` user that package creates (PostgreSQL refuses root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.server import free_port

URL_ENV = "TEST_POSTGRES_URL"
REQUIRE_ENV = "TEST_REQUIRE_POSTGRES"
_names = count(1)


def _bin_dir() -> Path | None:
    """Debian's newest installed server, else pg_ctl's own directory (symlinks followed)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if versions:
        return versions[-1].parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).resolve().parent if on_path else None


def postgres_bin(tool: str) -> Path:
    """A PostgreSQL program (pg_dump, pg_restore...) of the installed server's version."""
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / tool).exists():
        unavailable(f"{tool} is not installed")
    assert bin_dir is not None
    return bin_dir / tool


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"PostgreSQL is required ({REQUIRE_ENV}=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL: {reason} (scripts/install.sh --test installs it)")


@contextmanager
def cluster() -> Iterator[str]:
    """Start a cluster; yield the URL of its `postgres` database as superuser; stop it."""
    given = os.environ.get(URL_ENV)
    if given:
        yield given
        return
    bin_dir = _bin_dir()
    if bin_dir is None:
        unavailable("initdb/pg_ctl are not installed")
        return
    as_root = os.geteuid() == 0
    run_as: list[str] = []
    if as_root:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            unavailable("there is no postgres user to run it as")
            return
        run_as = ["runuser", "-u", "postgres", "--"]
    directory = Path(tempfile.mkdtemp(prefix="classbridge-pg-"))
    data, log = directory / "data", directory / "server.log"
    if as_root:
        os.chown(directory, owner.pw_uid, owner.pw_gid)
    port = free_port()

    def run(*args: str) -> None:
        done = subprocess.run([*run_as, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed:\n{done.stdout}{done.stderr}\n{server_log}")

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
        "--locale=C.UTF-8", "--no-sync")
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "120", "start")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=120)
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server for one test; dropped afterwards."""
    name = f"classbridge_test_{os.getpid()}_{next(_names)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
