"""The options every ``classbridge`` command that opens the data directory takes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="YAML config file (see config/classbridge.example.yaml)."),
]
DataDirOpt = Annotated[
    Path | None, typer.Option("--data-dir", help="Database, signing keys and admin token [./data].")
]
