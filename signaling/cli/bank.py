"""``classbridge bank``: a course's question bank from the command line (import, export,
list), on the server's data directory whether or not the server runs.
Its options and error handling are signaling/cli/common.py's."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from classroom.assessment import bank, formats
from classroom.assessment.errors import BankImportRefused
from classroom.assessment.questions import LETTERS, Difficulty, Kind
from signaling.cli.common import ConfigOpt, DataDirOpt, _out, _reports_errors, _services, err

bank_app: typer.Typer = typer.Typer(help="A course's question bank: import, export, list.", no_args_is_help=True)
CourseArg = Annotated[str, typer.Argument(help="The course id.")]


@bank_app.command("import")
@_reports_errors
def bank_import(
    course_id: CourseArg,
    file: Annotated[Path, typer.Argument(help="CSV, XLSX, GIFT or Aiken file.", exists=True, dir_okay=False)],
    fmt: Annotated[str | None, typer.Option("--format", help="csv, xlsx, gift or aiken [from the file name].")] = None,
    topic: Annotated[str, typer.Option(help="The topic of questions the file gives none.")] = "",
    keep_valid: Annotated[bool, typer.Option("--keep-valid", help="Import the valid questions even if others are wrong.")] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Import questions; all or nothing unless --keep-valid (docs/question-bank.md)."""
    try:
        kind = fmt or formats.format_of(file.name)
        if kind not in formats.FORMATS:
            raise formats.UnknownFormat(f"unknown format {kind!r}: one of {', '.join(formats.FORMATS)}")
    except formats.UnknownFormat as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(2) from None
    if file.stat().st_size > formats.MAX_FILE_BYTES:
        err.print(f"error: {file} is larger than {formats.MAX_FILE_BYTES} bytes", markup=False)
        raise typer.Exit(1)
    db = _services(config, data_dir).db
    try:
        done = bank.import_file(db, course_id, kind, file.read_bytes(), topic.strip(), keep_valid)
    except BankImportRefused as e:
        err.print(f"error: nothing was imported from {file.name}; {len(e.problems)} problem(s):", markup=False)
        for p in e.problems:
            err.print(f"  {p.where}: {p.message} ({p.code})", markup=False)
        raise typer.Exit(1) from None
    typer.echo(f"Imported {len(done.ids)} question(s) into the bank of course {course_id}.")
    for p in done.problems:
        err.print(f"  left out {p.where}: {p.message} ({p.code})", markup=False)


@bank_app.command("export")
@_reports_errors
def bank_export(
    course_id: CourseArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write [stdout].")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, gift or aiken.")] = "xlsx",
    language: Annotated[str, typer.Option(help="Spreadsheet headers: vi or en.")] = "vi",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Export the bank (XLSX by default; Aiken holds single-choice questions only)."""
    if fmt not in formats.FORMATS or language not in ("vi", "en"):
        err.print(f"error: --format is one of {', '.join(formats.FORMATS)}; --language vi or en", markup=False)
        raise typer.Exit(2)
    try:
        data = bank.export(_services(config, data_dir).db, course_id, fmt, language)
    except ValueError as e:  # aiken.NotAikenQuestion
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(1) from None
    if output is None:
        if fmt == "xlsx" and sys.stdout.isatty():
            err.print("error: an XLSX file is binary: give --output FILE", markup=False)
            raise typer.Exit(2)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        typer.echo(f"Wrote {output}.")


@bank_app.command("list")
@_reports_errors
def bank_list(
    course_id: CourseArg,
    topic: Annotated[str | None, typer.Option(help="Only this topic.")] = None,
    difficulty: Annotated[Difficulty | None, typer.Option(help="Only this difficulty.")] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """List the bank's questions with their answers."""
    found = bank.questions(_services(config, data_dir).db, course_id, topic, difficulty)
    table = Table("id", "topic", "difficulty", "type", "question", "answer")
    for s in found:
        q = s.question
        if q.kind is Kind.SHORT:
            answer = " | ".join(q.accepted)
        elif q.kind is Kind.TRUE_FALSE:
            answer = "true" if q.answer_true() else "false"
        else:
            answer = ", ".join(f"{LETTERS[i]}. {q.options[i]}" for i in q.correct)
        table.add_row(str(s.id), Text(q.topic), q.difficulty.value, q.kind.value, Text(q.text), Text(answer))
    _out().print(table)
    _out().print(f"{len(found)} question(s)", markup=False)
