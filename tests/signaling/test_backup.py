"""Backups of a running server's database, restoring one, and a clean stop leaving a complete
database file: with a real `classbridge serve` process and trainees joining a class."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from classroom import classes
from classroom.db import open_database
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.integration.conftest import token_of
from tests.support.postgres import fresh_database, postgres_bin
from tests.support.server import CLASSBRIDGE, Served, serve

ADMIN = "backup-test-admin-token-0123456789"
HEADERS = {"Authorization": f"Bearer {ADMIN}"}


def _rows(path: Path, sql: str = "SELECT count(*) FROM attendance") -> int:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as c:
        return int(c.execute(sql).fetchone()[0])


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLASSBRIDGE), *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _join_and_leave(served: Served, class_id: str, stop: asyncio.Event, joined: list[int]) -> None:
    """Trainees join and leave the class over and over: each join is an attendance row."""
    link = httpx.post(
        f"{served.url}/api/classes/{class_id}/links", json={"role": "trainee"}, headers=HEADERS
    ).json()["link"]
    ws = served.url.replace("http", "ws", 1) + f"/ws/{class_id}"
    n = 0
    while not stop.is_set():
        client = ClassClient(await WebSocketChannel.connect(ws))
        await client.join(token_of(link), name=f"Học viên {n}")
        await client.close()
        n += 1
        joined.append(n)


@pytest.fixture
def served(tmp_path: Path) -> Served:
    s = serve(tmp_path / "data", env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning"})
    yield s
    s.stop()


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
async def test_backup_while_a_class_writes_attendance_then_restore(served: Served, tmp_path: Path) -> None:
    database = served.data_dir / "classbridge.db"
    class_id = httpx.post(f"{served.url}/api/classes", json={"title": "Lớp sao lưu"}, headers=HEADERS).json()["id"]
    stop, joined = asyncio.Event(), []
    writer = asyncio.create_task(_join_and_leave(served, class_id, stop, joined))
    try:
        while len(joined) < 3:  # the class is writing
            await asyncio.sleep(0.05)
            assert not writer.done(), served.log_tail()
        copy = tmp_path / "backups" / "copy.db"
        before = _rows(database)
        done = await asyncio.to_thread(_cli, "backup", str(copy), data_dir=served.data_dir)
        after = _rows(database)
        assert done.returncode == 0, done.stderr
        assert not writer.done(), "the class kept writing during the backup"
    finally:
        stop.set()
        await writer
    # The copy is one self-contained file (no -wal beside it) holding one committed state.
    assert sorted(p.name for p in copy.parent.iterdir()) == ["copy.db"]
    assert oct(copy.stat().st_mode & 0o777) == oct(0o600)
    in_copy = _rows(copy)
    assert before <= in_copy <= after and in_copy >= 3, (before, in_copy, after)
    assert _rows(copy, "SELECT count(*) FROM classes WHERE id = '%s'" % class_id) == 1
    assert f"{in_copy} attendance row(s)" in done.stdout

    # Restoring is refused while the server runs, and changes nothing.
    refused = _cli("restore", str(copy), data_dir=served.data_dir)
    assert refused.returncode == 1 and "stop it first" in refused.stderr, refused
    assert "Traceback" not in refused.stderr

    # A clean stop leaves everything in the database file itself: a copy of just that file
    # (what an operator's file backup takes) holds every row.
    final = _rows(database)
    served.stop()
    assert served.process.returncode in (0, -15), served.log_tail()  # uvicorn re-raises SIGTERM
    alone = tmp_path / "alone" / "classbridge.db"
    alone.parent.mkdir()
    shutil.copy(database, alone)
    assert _rows(alone) == final > in_copy

    restored = _cli("restore", str(copy), data_dir=served.data_dir)
    assert restored.returncode == 0, restored.stderr
    assert _rows(database) == in_copy
    kept = [p for p in served.data_dir.iterdir() if ".before-restore-" in p.name]
    assert len(kept) == 1 and _rows(kept[0]) == final, "the replaced database was saved first"

    # The restored database serves: the class is there with its attendance.
    again = serve(served.data_dir, env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN})
    try:
        report = httpx.get(f"{again.url}/api/classes/{class_id}/attendance", headers=HEADERS)
        assert report.status_code == 200, report.text
        assert sum(p["sessions"] for p in report.json()["people"]) == in_copy
    finally:
        again.stop()


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_restore_refuses_what_is_not_a_classbridge_backup(tmp_path: Path) -> None:
    data = tmp_path / "data"
    missing = _cli("restore", str(tmp_path / "nope.db"), data_dir=data)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    text = tmp_path / "notes.txt"
    text.write_text("không phải cơ sở dữ liệu\n" * 100)
    garbage = _cli("restore", str(text), data_dir=data)
    assert garbage.returncode == 1 and "not a SQLite database" in garbage.stderr, garbage.stderr
    other = tmp_path / "other.db"
    with closing(sqlite3.connect(other)) as c:
        c.execute("CREATE TABLE t (x)")
    foreign = _cli("restore", str(other), data_dir=data)
    assert foreign.returncode == 1 and "not a classbridge database" in foreign.stderr
    for result in (missing, garbage, foreign):
        assert "Traceback" not in result.stderr


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_backup_needs_a_database_and_a_file_name(tmp_path: Path) -> None:
    data = tmp_path / "data"
    none_yet = _cli("backup", str(tmp_path / "b.db"), data_dir=data)
    assert none_yet.returncode == 1 and "no database" in none_yet.stderr
    _cli("class", "create", "Lớp", data_dir=data)
    to_dir = _cli("backup", str(tmp_path), data_dir=data)
    assert to_dir.returncode == 1 and "is a directory" in to_dir.stderr
    onto_itself = _cli("backup", str(data / "classbridge.db"), data_dir=data)
    assert onto_itself.returncode == 1 and "must not be the database itself" in onto_itself.stderr


def test_postgres_backup_names_pg_dump(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CLASSBRIDGE), "backup", str(tmp_path / "b.dump"), "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "CLASSBRIDGE_DATABASE_URL": "postgresql+psycopg://cb:secret@db.example/school"},
    )
    assert result.returncode == 1
    assert "pg_dump --format=custom --file=FILE --host=db.example --port=5432 --username=cb school" in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_the_pg_dump_and_pg_restore_commands_named_for_postgresql_work(
    postgres_server: str, tmp_path: Path
) -> None:
    """What `backup`/`restore` tell a PostgreSQL operator to run, run against a real server."""
    dump = tmp_path / "school.dump"
    with fresh_database(postgres_server) as source, fresh_database(postgres_server) as target:
        db = open_database(source)
        class_id = classes.create(db, "Lớp trên PostgreSQL").id
        db.kw["bind"].dispose()
        commands = []
        for action, url, file in (("backup", source, dump), ("restore", target, dump)):
            told = subprocess.run(
                [str(CLASSBRIDGE), action, str(file), "--data-dir", str(tmp_path)],
                capture_output=True, text=True, timeout=60,
                env={**os.environ, "CLASSBRIDGE_DATABASE_URL": url},
            )
            assert told.returncode == 1 and "PostgreSQL" in told.stderr, told
            line = next(x.strip() for x in told.stderr.splitlines() if x.strip().startswith("pg_"))
            commands.append(line.replace("FILE", shlex.quote(str(file))))
        for command in commands:
            tool = shlex.split(command)
            done = subprocess.run([str(postgres_bin(tool[0])), *tool[1:]], capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stderr
        copy = open_database(target, upgrade=False)
        assert classes.get(copy, class_id).title == "Lớp trên PostgreSQL"
        copy.kw["bind"].dispose()
