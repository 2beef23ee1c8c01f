"""What every ``classbridge`` command shares: settings options, errors as one line, output.

Every command resolves settings the same way as the server (flags > ``CLASSBRIDGE_*`` >
``--config`` file > defaults) through `_services`.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console

from classroom.errors import ClassroomError, UnknownRoom
from signaling.cli.running_server import with_server_links
from signaling.errors import SettingsError, SignalingError
from signaling.server.services import Services
from signaling.server.settings import Settings

err = Console(stderr=True, highlight=False, soft_wrap=True)
PIPE_WIDTH = 240  # tables sent to a pipe or file are not squeezed into 80 columns


def _out() -> Console:
    return Console(highlight=False, width=None if sys.stdout.isatty() else PIPE_WIDTH)


ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="YAML config file (see config/classbridge.example.yaml)."),
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Database, signing keys and admin token [./data].")
]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the REST API's shape).")]

P = ParamSpec("P")
R = TypeVar("R")


def _reports_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Our errors become one line on stderr and an exit code, never a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (SettingsError, UnknownRoom) as e:
            err.print(f"error: {e.message}", markup=False)
            raise typer.Exit(2) from None
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors())
            err.print(f"error: {problems}", markup=False)
            raise typer.Exit(2) from None
        except (SignalingError, ClassroomError) as e:
            err.print(f"error: {e.message}", markup=False)
            raise typer.Exit(1) from None

    return run


def _services(config: Path | None, data_dir: Path | None) -> Services:
    return Services.open(with_server_links(Settings.load(config_file=config, data_dir=data_dir)))


def _print_json(model: BaseModel) -> None:
    typer.echo(model.model_dump_json(indent=2))


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M UTC")
