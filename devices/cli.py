"""Technician commands: ``classbridge device ...`` and ``classbridge simulate ...``.

The root CLI (signaling/cli/main.py) mounts `device_app` as ``device`` and `simulate` as a
command; ``python -m devices.cli`` offers the same two for use without the server.
Every device action is an entry of the device-command catalog (devices/commands.py), the same
one the API uses, run through the facades and the registry: the CLI knows no protocol.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
from dataclasses import asdict, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from devices.commands import Command, Options, Query, cli_entries, from_words
from devices.rooms_file.device_config import DeviceConfig
from devices.drivers.base import AnyDevice, DeviceKind, DeviceStatus, LinkState
from devices.errors import (
    AuthError,
    ConfigError,
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)
from devices.registry import driver_class
from devices.rooms_file import RoomsFile, load_rooms
from devices.sim.rooms import SimulatedRooms
from devices.transport.connectors import connector_for

USAGE_ERROR = 2  # click's own code for a bad command line
EXIT_CODES: tuple[tuple[type[DeviceError], int, str], ...] = (
    (ConfigError, 3, "the rooms file is wrong, or names no such device"),
    (DeviceOffline, 4, "the device cannot be reached"),
    (DeviceTimeout, 5, "the device did not answer in time"),
    (DeviceRefused, 6, "the device refused the command"),
    (DeviceBusy, 7, "the device stayed busy"),
    (AuthError, 8, "the device rejected the credentials"),
    (Unsupported, 9, "no driver for the protocol, or no such control on the device"),
    (ProtocolError, 10, "the device's answer made no sense"),
    (DeviceError, 1, "any other device error"),
)
STATE_EXIT = {LinkState.OFFLINE: 4, LinkState.CONNECTING: 4, LinkState.DEGRADED: 5}

_EXIT_LINES = "\n".join(f"{code} {why}" for _, code, why in EXIT_CODES)
_ACTION_LINES = "\n".join(
    f"{kind.value.capitalize()}: {', '.join(entry.usage() for entry in cli_entries(kind))}."
    for kind in DeviceKind
)
DEVICE_HELP = f"""Check and drive the devices of a rooms file.

Act on one device with ROOM/DEVICE followed by an action:
room-101/camera preset recall 2
room-101/camera move left --speed 0.3 --for 1
room-101/camera go-to -600 150 4000
room-101/camera stream-uri
room-101/camera status --json
room-101/display power on
room-101/display input hdmi1
room-101/mic mute on

{_ACTION_LINES}

Exit codes:
0 done
{USAGE_ERROR} bad command line, or a value outside what the device takes
{_EXIT_LINES}"""


def exit_code(error: DeviceError) -> int:
    return next(code for cls, code, _ in EXIT_CODES if isinstance(error, cls))


class _DeviceGroup(TyperGroup):
    """Lets ``ROOM/DEVICE ACTION...`` stand where a subcommand name would (it runs `act`)."""

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and "/" in args[0]:
            return "act", self.commands["act"], args
        return super().resolve_command(ctx, args)


device_app = typer.Typer(cls=_DeviceGroup, help=DEVICE_HELP, no_args_is_help=True)
out = Console()  # tables only; plain lines go through typer.echo so they never wrap


@device_app.callback()
def device_main(
    ctx: typer.Context,
    config: Annotated[
        Path, typer.Option("--config", "-c", help="Rooms file (YAML).", envvar="CLASSBRIDGE_ROOMS")
    ],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log link activity.")] = False,
) -> None:
    _logging(verbose)
    ctx.obj = config


@device_app.command("list")
def list_devices(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every device with its status (contacts each device once, all at the same time)."""
    rooms = _load(ctx.obj)
    rows = asyncio.run(_statuses(rooms))
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("device", "kind", "protocol", "address", "link", "power", "detail")
    table.columns[0].no_wrap = True
    table.columns[3].overflow = table.columns[6].overflow = "fold"
    for row in rows:
        power = {True: "on", False: "standby", None: "-"}[row["power"]]
        detail = row["detail"] or ", ".join(f"{k}={v}" for k, v in row["values"].items())
        table.add_row(
            row["device"], row["kind"], row["protocol"], row["address"], row["link"], power, detail
        )
    out.print(table)


@device_app.command("act", context_settings={"ignore_unknown_options": True}, no_args_is_help=True)
def act(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="ROOM/DEVICE, e.g. room-101/camera.")],
    words: Annotated[list[str], typer.Argument(help="The action and its values.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    speed: Annotated[float, typer.Option(help="Move/zoom speed, 0..1.", min=0, max=1)] = 0.5,
    duration: Annotated[
        float,
        typer.Option("--for", help="Seconds to move/zoom before stopping; 0 = keep going.", min=0),
    ] = 0.5,
    channel: Annotated[int | None, typer.Option(help="Microphone channel (default: all).")] = None,
) -> None:
    """Run one action on one device (the ROOM/DEVICE ACTION form calls this)."""
    rooms = _load(ctx.obj)
    try:
        room, cfg = rooms.device(target)
    except ConfigError as exc:
        _fail(exc, target, as_json)
    try:
        options = Options(speed, duration, channel)
        result = asyncio.run(_act(cfg, from_words(cfg.kind, words, options), options))
    except ValueError as exc:  # words the kind does not know, or a value the facade refuses
        typer.echo(f"error: {target}: {exc}", err=True)
        raise typer.Exit(USAGE_ERROR) from None
    except DeviceError as exc:
        _fail(exc, target, as_json)
    if isinstance(result, DeviceStatus):
        _print_status(_status_row(room.name, cfg, result), as_json)
        raise typer.Exit(exit_code(result.error) if result.error else STATE_EXIT.get(result.link, 0))
    if as_json:
        typer.echo(
            json.dumps({"device": target, "action": " ".join(words), "result": _plain(result)})
        )
    elif isinstance(result, list):  # presets, profiles: one line each
        typer.echo(f"{target}: {' '.join(words)}: {len(result)}")
        for item in _plain(result):
            typer.echo("  " + (", ".join(f"{k}={v}" for k, v in item.items()) if isinstance(item, dict) else str(item)))
    else:
        shown = "done" if result is None else _plain(result)
        typer.echo(f"{target}: {' '.join(words)}: {shown}")


def simulate(
    config: Annotated[Path, typer.Option("--config", "-c", help="Rooms file (YAML).")],
    write_config: Annotated[
        Path | None,
        typer.Option("--write-config", help="Write a rooms file that points at the simulators."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log simulator activity.")
    ] = False,
) -> None:
    """Start a simulator for every device in a rooms file and run until Ctrl-C."""
    _logging(verbose)
    rooms = _load(config, require_secrets=False)
    try:
        asyncio.run(_simulate(rooms, write_config))
    except OSError as exc:  # a port or path the simulators could not take
        typer.echo(f"error: cannot run the simulators: {exc}", err=True)
        raise typer.Exit(1) from None


# internals -----------------------------------------------------------------------------------


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.ERROR,
        format="%(asctime)s %(name)s %(message)s",
        stream=sys.stderr,
    )


def _load(path: Path, *, require_secrets: bool = True) -> RoomsFile:
    try:
        return load_rooms(path, require_secrets=require_secrets)
    except ConfigError as exc:
        _fail(exc, None, False)


def _fail(error: DeviceError, target: str | None, as_json: bool) -> NoReturn:
    code = exit_code(error)
    if as_json:
        typer.echo(json.dumps({"device": target, "error": str(error), "exit_code": code}))
    prefix = f"{target}: " if target and target not in str(error) else ""
    typer.echo(f"error: {prefix}{error}", err=True)
    raise typer.Exit(code)


def _driver(cfg: DeviceConfig) -> AnyDevice:
    try:
        cls = driver_class(cfg.protocol)
    except ImportError:
        raise Unsupported(f"no {cfg.protocol} driver in this build yet") from None
    device: AnyDevice = cls.from_config(cfg)
    return device


async def _act(cfg: DeviceConfig, entry: Command | Query, options: Options) -> object:
    """Connect, run one catalog entry (a timed move or zoom is stopped after ``--for``), hang up."""
    device = _driver(cfg)
    await device.start()
    try:
        entry.check(device)
        if isinstance(entry, Query):
            return await entry.read(device)
        await entry.apply(device)
        stopping = entry.stopping()
        if stopping is not None and options.duration > 0:
            await asyncio.sleep(options.duration)
            await stopping.apply(device)
        return None
    finally:
        await device.stop()


def _address(cfg: DeviceConfig) -> str:
    link = getattr(cfg, "link", None)
    if link is not None:
        return connector_for(link).description
    return f"{getattr(cfg, 'host', '?')}:{getattr(cfg, 'port', '?')}"


def _status_row(room: str, cfg: DeviceConfig, status: DeviceStatus) -> dict[str, Any]:
    return {
        "device": f"{room}/{cfg.name}",
        "kind": cfg.kind.value,
        "protocol": cfg.protocol,
        "address": _address(cfg),
        "link": status.link.value,
        "power": status.power,
        "detail": status.detail,
        "values": _plain(status.values),
    }


async def _status_of(room: str, cfg: DeviceConfig) -> dict[str, Any]:
    try:
        device = _driver(cfg)
        await device.start()
        try:
            status = await device.status()
        finally:
            await device.stop()
    except DeviceError as exc:
        link = "unsupported" if isinstance(exc, Unsupported) else "error"
        return {**_status_row(room, cfg, DeviceStatus(detail=str(exc))), "link": link}
    return _status_row(room, cfg, status)


async def _statuses(rooms: RoomsFile) -> list[dict[str, Any]]:
    return list(await asyncio.gather(*(_status_of(r.name, d) for r, d in rooms.devices())))


def _print_status(row: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(row))
        return
    table = Table(show_header=False)
    for key, value in row.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict) else str(value))
    out.print(table)


def _plain(value: Any) -> Any:
    """Results as JSON-ready data (dataclasses, enums, nested containers)."""
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def _simulate(rooms: RoomsFile, write_config: Path | None) -> None:
    simulated = SimulatedRooms(rooms)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await simulated.start()
        table = Table("device", "protocol", "listens on")
        table.columns[0].no_wrap = True
        table.columns[2].overflow = "fold"
        for running in simulated.running:
            where = ", ".join(f"{name} {address}" for name, address in running.endpoints.items())
            table.add_row(running.ref, running.device.protocol, where)
        out.print(table)
        for ref, why in simulated.skipped:
            typer.echo(f"warning: {ref} skipped: {why}", err=True)
        if write_config is not None:
            write_config.write_text(yaml.safe_dump(simulated.derived(), sort_keys=False))
            typer.echo(
                f"Wrote {write_config}; try: classbridge device --config {write_config} list"
            )
        typer.echo("Simulators running; press Ctrl-C to stop.")
        sys.stdout.flush()
        await stop.wait()
    finally:
        await simulated.stop()


def _standalone() -> typer.Typer:
    """``python -m devices.cli``: the two commands the root CLI mounts."""
    app = typer.Typer(no_args_is_help=True, help="classbridge room devices")
    app.add_typer(device_app, name="device")
    app.command("simulate")(simulate)
    return app


if __name__ == "__main__":
    _standalone()(prog_name="classbridge")
