"""The ``classbridge`` command: serve, manage classes and links, rotate signing keys.

Every command resolves settings the same way as the server (flags > ``CLASSBRIDGE_*`` >
``--config`` file > defaults), so ``classbridge class ...`` works on the server's data
directory whether or not the server is running. Errors print one line and exit non-zero
(2 for invalid settings or arguments, an unknown room included; 1 for everything else).
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from contextlib import contextmanager
import shutil
import ssl
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
import uvicorn
from pydantic import TypeAdapter
from rich.table import Table
from rich.text import Text

from classroom import classes
from classroom.attendance import format_duration, report_csv
from classroom.attendance_chain.chain import verify as verify_chain
from classroom.audit import AuditEntry, audit_csv
from classroom.classes import ClassInfo
from classroom.errors import UnknownRoom
from classroom.models import ClassStatus
from classroom.roles import Role
from devices.cli import device_app, simulate
from signaling.errors import SettingsError
from signaling.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    _out,
    _print_json,
    _reports_errors,
    _services,
    _when,
    err,
)
from signaling.cli.bank import bank_app
from signaling.cli.library import library_app
from signaling.cli.courses import course_app, report_app
from signaling.agent.cli import room_agent
from signaling.cli.running_server import announced, end_class_via_server, find, with_server_links
from signaling.api.schemas import ClassCreate, ClassCreated, LinkRequest
from signaling.server.media_network import media_address_problem
from signaling.server.rooms import room_names
from signaling.server.services import Services
from signaling.server.settings import DEFAULT_DATA_DIR, Settings
from signaling.server.websocket_protocol import QuietWebSocketProtocol
from signaling.auth.room_keys import RoomKeyInfo, RoomKeys
from signaling.auth.technicians import check_name as check_technician_name
from signaling.server.state import server_of

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine

WS_HARD_CAP_FACTOR = 4  # uvicorn drops frames above this; the app answers smaller oversize ones
GRACEFUL_SHUTDOWN_S = 5

app = typer.Typer(
    help="classbridge: live online classes and hybrid smart rooms.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
class_app = typer.Typer(
    help="Create, list and end classes; issue join links.", no_args_is_help=True
)
keys_app = typer.Typer(help="The keys that sign join links.", no_args_is_help=True)
technician_app = typer.Typer(help="Links to the technician console.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema: status and upgrades.", no_args_is_help=True)
app.add_typer(class_app, name="class")
app.add_typer(keys_app, name="keys")
app.add_typer(technician_app, name="technician")
app.add_typer(db_app, name="db")
room_app = typer.Typer(help="The room PC's credentials (room keys).", no_args_is_help=True)
app.add_typer(room_app, name="room")
app.add_typer(device_app, name="device")
app.command("simulate")(simulate)
app.add_typer(course_app, name="course")
app.add_typer(report_app, name="report")
app.command("room-agent")(room_agent)


CLASS_LIST = TypeAdapter(list[ClassInfo])
AUDIT_LIST = TypeAdapter(list[AuditEntry])


def _moment(text: str) -> datetime:
    """An ISO date and time; without an offset it is this machine's local time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date and time like 2025-03-10 08:00") from None
    return moment if moment.tzinfo is not None else moment.astimezone()


# --- serve ---------------------------------------------------------------------------------


def _check_tls(settings: Settings) -> None:
    """Load the certificate and key now, so that a wrong pair is one clear line, not a traceback."""
    if not settings.tls:
        return
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            str(settings.tls_cert), str(settings.tls_key)
        )
    except (ssl.SSLError, OSError) as e:
        raise SettingsError(
            f"tls_cert/tls_key: cannot load {settings.tls_cert} with {settings.tls_key}: {e}"
        ) from None


def _check_media_address(settings: Settings) -> None:
    """Public join links with a relay offering only loopback: media would fail in every browser."""
    problem = media_address_problem(settings)
    if problem is not None:
        raise SettingsError(problem)


def _self_command() -> str:
    """How the user can run this program again, as they started it."""
    argv0 = Path(sys.argv[0])
    if argv0.name != "classbridge":
        return f"{shlex.quote(sys.executable)} -m signaling.cli.main"
    on_path = shutil.which("classbridge")
    if on_path and Path(on_path).resolve() == argv0.resolve():
        return "classbridge"
    return shlex.quote(str(argv0))


def _next_steps(services: Services, config: Path | None, rooms: str = "no rooms") -> str:
    s = services.settings
    flags = ""
    if config is not None:
        flags += f" --config {shlex.quote(str(config.absolute()))}"
    if s.data_dir != DEFAULT_DATA_DIR.absolute():
        flags += f" --data-dir {shlex.quote(str(s.data_dir))}"
    admin = services.admin_token
    bearer = (
        "$CLASSBRIDGE_ADMIN_TOKEN"
        if admin.path is None
        else f"$(cat {shlex.quote(str(admin.path))})"
    )
    lines = [
        f"classbridge is starting on {s.local_url()}",
        f"  API docs:     {s.local_url()}/docs",
        f"  join links:   {s.public_url}/join#t=...",
        f"  data:         {s.data_dir}",
        f"  admin token:  {admin.describe()}",
        f"  rooms:        {rooms}",
        f"  console:      {s.local_url()}/console (the admin token opens it; technicians get a link:",
        f'                {_self_command()} technician link "Họ Tên"{flags})',
        "",
        "Create a class (prints one join link per role; open the lecturer link in a browser):",
        f'  {_self_command()} class create "Lớp bồi dưỡng cán bộ"{flags}',
        "or over HTTP:",
        (
            f'  curl -X POST {s.local_url()}/api/classes -H "Authorization: Bearer {bearer}" '
            "-H 'Content-Type: application/json' -d '{\"title\": \"Lớp bồi dưỡng cán bộ\"}'"
        ),
    ]
    if s.public_url is not None and s.public_url.startswith("http://") and not _loopback_only(s):
        lines += [
            "",
            "Warning: browsers allow camera and microphone only on https:// or localhost;",
            "  give --tls-cert and --tls-key so that trainees on the LAN can send video",
            "  (behind a reverse proxy that serves https, set public_url to its https:// address).",
        ]
    return "\n".join(lines)


def _loopback_only(settings: Settings) -> bool:
    return settings.public_url is not None and settings.public_url.startswith(
        ("http://127.", "http://localhost", "http://[::1]")
    )


def uvicorn_config(application: FastAPI, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        application,
        host=settings.host,
        port=settings.port,
        ssl_certfile=settings.tls_cert,
        ssl_keyfile=settings.tls_key,
        ws=QuietWebSocketProtocol,
        ws_max_size=WS_HARD_CAP_FACTOR * settings.signaling.max_message_bytes,
        log_level=settings.log_level,
        # JSON logs: uvicorn's loggers go through ours (signaling/server/logs.py)
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        server_header=False,
    )


@app.command()
@_reports_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [8000].")] = None,
    data_dir: DataDirOpt = None,
    config: ConfigOpt = None,
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate: serve HTTPS.")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM private key of --tls-cert.")] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error.")] = None,
    rooms_file: Annotated[
        Path | None, typer.Option(help="Rooms file [none: the example room, simulated].")
    ] = None,
    rooms_simulated: Annotated[
        bool | None,
        typer.Option(
            "--rooms-simulated/--rooms-real",
            help="Drive simulators on loopback instead of the rooms' devices.",
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="Media worker processes, e.g. one per core [1].")
    ] = None,
) -> None:
    """Start the server (HTTP API, WebSocket signaling, media relay, room controllers)."""
    settings = Settings.load(
        config_file=config,
        host=host,
        port=port,
        data_dir=data_dir,
        tls_cert=tls_cert,
        tls_key=tls_key,
        log_level=log_level,
        rooms_file=rooms_file,
        rooms_simulated=rooms_simulated,
        workers=workers,
    )
    _check_tls(settings)
    _check_media_address(settings)
    from signaling.server import logs

    logs.configure(settings.log_level, settings.log_format)
    from signaling.server.app import create_app  # the media relay's imports only when serving

    application = create_app(settings)
    rooms = server_of(application).rooms
    banner = _next_steps(server_of(application).services, config, rooms.source)
    if settings.log_format == "json":  # every line a log collector reads is one JSON record
        logs.logging.getLogger("classbridge").info(banner)
    else:
        typer.echo(banner)
    from signaling.server.tls_reload import reload_on_sighup

    server_config = uvicorn_config(application, settings)
    reload_on_sighup(server_config, settings)
    server = uvicorn.Server(server_config)
    with announced(settings, rooms.names):
        server.run()
    if not server.started:
        err.print(f"error: could not listen on {settings.local_url()} (see the log above)")
        raise typer.Exit(1)


# --- doctor --------------------------------------------------------------------------------


@app.command()
@_reports_errors
def doctor(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Check media networking: the public media address, and the TURN server with its secret."""
    import asyncio
    import time

    from signaling.cli.doctor import run_checks

    checks = asyncio.run(run_checks(Settings.load(config_file=config, data_dir=data_dir), time.time()))
    for check in checks:
        typer.echo(f"{'ok  ' if check.ok else 'FAIL'}  {check.what}: {check.detail}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)


# --- class ---------------------------------------------------------------------------------


def _known_rooms(settings: Settings) -> list[str]:
    """The rooms of the server running on this data directory, else of the rooms file that
    `serve` would read with these settings (the example room when none is set)."""
    note = find(settings)
    if note is not None and note.rooms is not None:
        return note.rooms
    return room_names(settings)


@class_app.command("create")
@_reports_errors
def class_create(
    title: Annotated[str, typer.Argument(help="Shown to everyone who joins.")],
    room: Annotated[
        str | None, typer.Option(help="The physical room, if any: a room of the rooms file.")
    ] = None,
    starts_at: Annotated[
        datetime | None,
        typer.Option(
            parser=_moment,
            metavar="WHEN",
            help="When it begins, e.g. '2025-03-10 08:00' (this machine's time zone unless an "
            "offset is given); the room is prepared before.",
        ),
    ] = None,
    ends_at: Annotated[
        datetime | None,
        typer.Option(parser=_moment, metavar="WHEN", help="When it ends; the room is switched off after."),
    ] = None,
    allow_overlap: Annotated[
        bool,
        typer.Option(
            "--allow-overlap",
            help="Book the room even if another class holds it then (the classes share one "
            "preparation of the room).",
        ),
    ] = False,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create a class and print one join link per role."""
    body = ClassCreate(
        title=title, room=room, starts_at=starts_at, ends_at=ends_at, allow_overlap=allow_overlap
    )
    s = _services(config, data_dir)
    info = classes.create(
        s.db,
        body.title,
        body.room,
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        known_rooms=_known_rooms(s.settings) if body.room is not None else None,
        allow_overlap=body.allow_overlap,
    )
    created = ClassCreated.build(info, s.links.for_every_role(info.id))
    if json_output:
        _print_json(created)
        return
    typer.echo(
        f"Created class {created.id}: {created.title}"
        + (f" (room {created.room})" if created.room else "")
    )
    if created.starts_at and created.ends_at:
        typer.echo(f"Planned {_when(created.starts_at)} to {_when(created.ends_at)}.")
    typer.echo(f"Join links, valid until {_when(created.links_expire_at)}:")
    for role, url in created.links.model_dump().items():
        typer.echo(f"  {role:<9} {url}")


@class_app.command("list")
@_reports_errors
def class_list(
    status: Annotated[ClassStatus | None, typer.Option(help="Only classes in this state.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 100,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """List classes, newest first."""
    found = classes.list_classes(_services(config, data_dir).db, status, limit)
    if json_output:
        typer.echo(CLASS_LIST.dump_json(found, indent=2).decode())
        return
    table = Table("id", "title", "room", "status", "created", "ended")
    for c in found:
        table.add_row(
            c.id,
            Text(c.title),
            Text(c.room or ""),
            c.status.value,
            _when(c.created_at),
            _when(c.ended_at),
        )
    _out().print(table)


@class_app.command("end")
@_reports_errors
def class_end(
    class_id: Annotated[str, typer.Argument(help="The class id.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """End a class: through the running server (which disconnects everyone), else in the database."""
    s = _services(config, data_dir)
    server = end_class_via_server(s.settings, s.admin_token, class_id)
    if server is not None:
        typer.echo(f"Ended class {class_id} through the server at {server}.")
        return
    classes.end(s.db, class_id)
    typer.echo(f"Ended class {class_id} (no server is running, so nobody was connected).")


@class_app.command("link")
@_reports_errors
def class_link(
    class_id: Annotated[str, typer.Argument(help="The class id.")],
    role: Annotated[Role, typer.Option(help="Who the link admits.")] = Role.TRAINEE,
    external_id: Annotated[
        str | None, typer.Option(help="Trainee id in the school's system.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    ttl_hours: Annotated[float | None, typer.Option(help="Lifetime [link_ttl_hours].")] = None,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Issue a join link, personal when --external-id/--name are given."""
    body = LinkRequest(role=role, external_id=external_id, name=name, ttl_hours=ttl_hours)
    link = _services(config, data_dir).join_link(class_id, body)
    if json_output:
        _print_json(link)
    else:
        typer.echo(link.link)


@class_app.command("attendance")
@_reports_errors
def class_attendance(
    class_id: Annotated[str, typer.Argument(help="The class id.")],
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV (UTF-8 with BOM).")] = False,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Attendance per person: connections, first join, last leave, total time online."""
    report = _services(config, data_dir).attendance.report(class_id)
    if csv_output:
        sys.stdout.write(report_csv(report))
        return
    if json_output:
        _print_json(report)
        return
    table = Table("external id", "name", "role", "sessions", "first join", "last leave", "online")
    for p in report.people:
        table.add_row(
            Text(p.external_id or ""),  # Text: names typed by people are not rich markup
            Text(p.display_name or ""),
            p.role.value,
            str(p.sessions),
            _when(p.first_join),
            "online now" if p.online_now else _when(p.last_leave),
            format_duration(p.seconds_online),
        )
    console = _out()
    console.print(f"{report.title} ({report.class_id}, {report.status.value})", markup=False)
    console.print(table)


attendance_app = typer.Typer(help="Attendance records: the hash chain.", no_args_is_help=True)
app.add_typer(attendance_app, name="attendance")


@attendance_app.command("verify")
@_reports_errors
def attendance_verify(
    class_id: Annotated[str, typer.Argument(help="The class id.")],
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Check that no attendance row or event of the class was edited or deleted (exit 3 if so)."""
    verdict = verify_chain(_services(config, data_dir).db, class_id)
    if json_output:
        _print_json(verdict)
    elif verdict.ok:
        typer.echo(f"OK: {verdict.events} events, chain head {verdict.head or '-'}")
    else:
        for problem in verdict.problems:
            typer.echo(f"TAMPERED: {problem.detail}")
    if not verdict.ok:
        raise typer.Exit(3)


# --- technician and audit ------------------------------------------------------------------


@technician_app.command("link")
@_reports_errors
def technician_link(
    name: Annotated[str, typer.Argument(help="Who the link is for; the audit log names them.")],
    ttl_hours: Annotated[
        float | None, typer.Option(help="Lifetime [technician_link_ttl_hours].", min=0.01)
    ] = None,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Issue a link to the technician console (all rooms, every device and scene)."""
    try:
        name = check_technician_name(name)
    except ValueError as e:
        raise typer.BadParameter(str(e)) from None
    tokens = _services(config, data_dir).technicians
    issued = tokens.link(name, None if ttl_hours is None else timedelta(hours=ttl_hours))
    if json_output:
        _print_json(issued)
        return
    typer.echo(issued.link)
    typer.echo(f"For {issued.name}, valid until {_when(issued.expires_at)}.", err=True)


@app.command("audit")
@_reports_errors
def audit(
    room: Annotated[str | None, typer.Option(help="Only this room.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000, help="At most this many.")] = 200,
    csv_output: Annotated[bool, typer.Option("--csv", help="Print CSV (UTF-8 with BOM).")] = False,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """The room audit log, newest first: who did what to which device or scene, and the result."""
    entries = _services(config, data_dir).audit.entries(room, limit)
    if csv_output:
        sys.stdout.write(audit_csv(entries))
        return
    if json_output:
        typer.echo(AUDIT_LIST.dump_json(entries, indent=2).decode())
        return
    table = Table("when", "room", "who", "target", "action", "result", "detail")
    for e in entries:
        who = f"{e.actor_kind} {e.actor_name or (f'(class {e.actor_class})' if e.actor_class else '')}".strip()
        table.add_row(
            e.at.strftime("%Y-%m-%d %H:%M:%S"), e.room, Text(who), e.target, Text(e.action), e.result, Text(e.detail)
        )
    _out().print(table)


# --- backup and restore ----------------------------------------------------------------------


@app.command("backup")
@_reports_errors
def backup_command(
    file: Annotated[Path, typer.Argument(help="The backup file to write (a SQLite database).")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Copy the database to FILE, consistently, also while the server runs and writes to it."""
    from classroom.backup import backup

    settings = Settings.load(config_file=config, data_dir=data_dir)
    assert settings.database_url is not None  # derived
    report = backup(settings.database_url, file)
    typer.echo(
        f"Backed up {report.classes} class(es) and {report.attendance_rows} attendance row(s) to {file}."
    )


@app.command("restore")
@_reports_errors
def restore_command(
    file: Annotated[Path, typer.Argument(help="A file made by `classbridge backup`.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Replace the database with a backup; the server must be stopped. The database being
    replaced is first saved next to it (<database>.before-restore-<time>)."""
    from classroom.backup import backup, restore
    from classroom.db import sqlite_file
    from sqlalchemy.engine import make_url

    settings = Settings.load(config_file=config, data_dir=data_dir)
    assert settings.database_url is not None  # derived
    running = find(settings)
    if running is not None:
        err.print(
            f"error: the server (pid {running.pid}, {running.url}) is running on this data "
            "directory: stop it first (e.g. systemctl stop classbridge), then restore",
            markup=False,
        )
        raise typer.Exit(1)
    current = sqlite_file(make_url(settings.database_url))
    if current is not None and current.is_file() and current.stat().st_size > 0 and file.is_file():
        kept = current.with_name(f"{current.name}.before-restore-{datetime.now():%Y%m%d-%H%M%S}")
        backup(settings.database_url, kept)
        typer.echo(f"Saved the current database to {kept}.")
    report = restore(settings.database_url, file)
    typer.echo(
        f"Restored {report.classes} class(es) and {report.attendance_rows} attendance row(s) "
        f"from {file} into {report.path}."
    )


@contextmanager
def _database_engine(config: Path | None, data_dir: Path | None) -> Iterator[Engine]:
    """An engine on the configured database (no schema work), disposed afterwards."""
    from classroom.db import make_engine

    settings = Settings.load(config_file=config, data_dir=data_dir)
    assert settings.database_url is not None  # derived
    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@db_app.command("status")
@_reports_errors
def db_status(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Show the database's schema revision and the newest this version knows."""
    from classroom import migrate

    with _database_engine(config, data_dir) as engine, engine.connect() as connection:
        state = migrate.schema_state(connection)
    shown = {"empty": "empty (no tables yet)", "pre-migrations": "made before migrations (0.1.0)"}
    typer.echo(f"database: {shown.get(state.kind, state.current)}")
    typer.echo(f"newest:   {state.head}")
    typer.echo("up to date" if state.up_to_date else "an upgrade is pending: classbridge db upgrade")


@db_app.command("upgrade")
@_reports_errors
def db_upgrade(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Bring the database schema up to date (Alembic migrations; a SQLite file is copied first)."""
    from classroom import migrate
    from sqlalchemy.exc import SQLAlchemyError

    from classroom.errors import DatabaseError

    with _database_engine(config, data_dir) as engine:
        try:
            done = migrate.upgrade(engine)
        except SQLAlchemyError as e:
            raise DatabaseError(f"the upgrade failed and was rolled back: {e}") from None
    if done.before.up_to_date:
        typer.echo(f"The database is up to date (revision {done.after}).")
        return
    if done.kept:
        typer.echo(f"Kept a copy of the database before the upgrade: {done.kept}")
    typer.echo(f"Upgraded the database from {done.before.current or done.before.kind} to {done.after}.")


# --- keys ----------------------------------------------------------------------------------


@keys_app.command("rotate")
@_reports_errors
def keys_rotate(
    drop_old: Annotated[
        bool,
        typer.Option(
            "--drop-old", help="Also drop every older key: all issued links stop working."
        ),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Add a new signing key; new links use it, older links keep working unless --drop-old."""
    keyring = _services(config, data_dir).keyring
    key = keyring.rotate(drop_old=drop_old)
    typer.echo(f"New signing key {key.kid} in {keyring.path}.")
    if drop_old:
        typer.echo("Older keys dropped: every join link issued before now is invalid.")
    else:
        typer.echo(f"{len(keyring.keys()) - 1} older key(s) still verify links issued with them.")


@keys_app.command("list")
@_reports_errors
def keys_list(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """List signing keys (ids and dates, never secrets); the newest signs."""
    keys = _services(config, data_dir).keyring.keys()
    table = Table("kid", "created", "use")
    for i, key in enumerate(keys):
        table.add_row(key.kid, _when(key.created_at), "signs" if i == len(keys) - 1 else "verifies")
    _out().print(table)


# --- room keys -----------------------------------------------------------------------------


@room_app.command("key")
@_reports_errors
def room_key(
    room: Annotated[str | None, typer.Argument(help="Issue a key for this room.")] = None,
    revoke: Annotated[
        str | None, typer.Option("--revoke", metavar="KEY_ID", help="Revoke this key.")
    ] = None,
    list_keys: Annotated[
        bool, typer.Option("--list", help="List the keys (of ROOM, if given); never the secrets.")
    ] = False,
    label: Annotated[str | None, typer.Option(help="Which PC holds the key.")] = None,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Issue a room key for the room PC (printed once), revoke one, or list them."""
    if sum((room is not None and not list_keys, revoke is not None, list_keys)) != 1:
        raise typer.BadParameter("give ROOM to issue a key, --revoke KEY_ID, or --list [ROOM]")
    settings = with_server_links(Settings.load(config_file=config, data_dir=data_dir))
    keys = RoomKeys(Services.open(settings).db)
    if revoke is not None:
        revoked = keys.revoke(revoke)
        typer.echo(revoked.model_dump_json(indent=2) if json_output else f"Revoked room key {revoked.key_id} of {revoked.room}.")
        return
    if list_keys:
        found = keys.list(room)
        if json_output:
            typer.echo(TypeAdapter(list[RoomKeyInfo]).dump_json(found, indent=2).decode())
            return
        table = Table("key id", "room", "label", "created", "revoked")
        for k in found:
            table.add_row(k.key_id, k.room, Text(k.label or ""), _when(k.created_at), _when(k.revoked_at))
        _out().print(table)
        return
    assert room is not None
    known = _known_rooms(settings)
    if room not in known:
        raise UnknownRoom(room, sorted(known))
    issued = keys.issue(room, label)
    if json_output:
        _print_json(issued)
        return
    typer.echo(issued.key)
    typer.echo(
        f"Room key {issued.key_id} for {issued.room}: shown only now; keep it on the room PC. "
        f"Revoke it with: classbridge room key --revoke {issued.key_id}",
        err=True,
    )
app.add_typer(bank_app, name="bank")
app.add_typer(library_app, name="library")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
