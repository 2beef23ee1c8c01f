"""``classbridge library``: the e-lecture library from the command line. `sweep` applies the
courses' retention rule now (the server also does it when it starts and every hour)."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

from classroom.recording.library import Library
from classroom.recording.retention import sweep
from signaling.cli.common import ConfigOpt, DataDirOpt, _reports_errors, _services

library_app: typer.Typer = typer.Typer(help="The e-lecture library: recordings and uploads.", no_args_is_help=True)


@library_app.command("sweep")
@_reports_errors
def library_sweep(config: ConfigOpt = None, data_dir: DataDirOpt = None) -> None:
    """Delete the class recordings older than their course's retention (docs/recording.md)."""
    services = _services(config, data_dir)
    folder = services.settings.recording.folder
    assert folder is not None  # derived from data_dir
    swept = sweep(Library(folder), services.db, datetime.now(UTC), services.audit)
    for s in swept:
        typer.echo(f"deleted {s.class_id}/{s.recording_id} ({s.title}) of course {s.course_id}")
    typer.echo(f"{len(swept)} recording(s) deleted.")
