"""``classbridge course ...`` and ``classbridge report ...``: courses, rosters, course links,
attendance reports and their signatures, on the server's data directory (as ``class ...``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, get_args

import typer
from pydantic import TypeAdapter
from rich.table import Table
from rich.text import Text

from classroom.courses import catalog
from classroom.courses.catalog import MAX_RETENTION_DAYS, CourseInfo
from classroom.courses.completion import rule_of
from classroom.courses.models import DEFAULT_TIME_ZONE
from classroom.courses.roster_file import RosterFormat, parse_roster
from classroom.errors import RosterInvalid
from classroom.reports.export import Format
from classroom.reports.words import Lang, rule_text
from signaling.api.courses import CourseCreate
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
from signaling.server import reports
from signaling.server.reports import CourseLinkOut

course_app = typer.Typer(
    help="Courses: rosters, completion rules, personal course links.", no_args_is_help=True
)
report_app = typer.Typer(help="Attendance reports and their signatures.", no_args_is_help=True)

COURSE_LIST = TypeAdapter(list[CourseInfo])
LINK_LIST = TypeAdapter(list[CourseLinkOut])
PercentOpt = Annotated[
    float | None, typer.Option("--min-percent", help="At least this % of each class's time.")
]
MinutesOpt = Annotated[
    int | None, typer.Option("--min-minutes", help="At least this many minutes in all.")
]
ScoreOpt = Annotated[
    float | None, typer.Option("--min-quiz-score", help="At least this quiz score (0-100).")
]
RecordOpt = Annotated[bool | None, typer.Option(
    "--record-classes/--no-record-classes", help="Record every class of the course from its start.")]
RetentionOpt = Annotated[int | None, typer.Option(
    "--retention-days", min=1, max=MAX_RETENTION_DAYS,
    help="Delete the course's recordings this many days after they end.")]
WatchingOpt = Annotated[bool | None, typer.Option(
    "--watching-counts/--no-watching-counts",
    help="Watching a missed class's recording makes up for it (completion rule).")]
LangOpt = Annotated[str, typer.Option("--lang", help="Words of the file: vi or en.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file (its suffix: format).")
]


def _lang(value: str) -> Lang:
    if value not in get_args(Lang):
        raise typer.BadParameter(f"--lang: {value!r} is not vi or en")
    return value  # type: ignore[return-value]


def _format(value: str | None, output: Path | None, allowed: tuple[str, ...]) -> str:
    chosen = value or (output.suffix.lstrip(".").lower() if output else None) or allowed[0]
    if chosen not in allowed:
        raise typer.BadParameter(f"format {chosen!r}: use one of {', '.join(allowed)}")
    return chosen


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    if output is not None:
        output.write_bytes(data)
        typer.echo(f"Wrote {output} ({len(data)} bytes).", err=True)
    elif binary:
        raise typer.BadParameter("XLSX and PDF need --output FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _print_course(c: CourseInfo) -> None:
    typer.echo(f"Course {c.id}: {c.title}" + (f" ({c.code})" if c.code else ""))
    typer.echo(f"  time zone:  {c.time_zone}")
    typer.echo(f"  rule:       {rule_text(c.rule, 'en', c.watching_counts)}")
    typer.echo(f"  recording:  {'every class' if c.record_classes else 'when the lecturer records'}"
               f"; kept {f'{c.recording_retention_days} days' if c.recording_retention_days else 'forever'}")
    typer.echo(f"  trainees:   {c.trainees}")
    typer.echo(f"  classes:    {', '.join(c.class_ids) or 'none'}")


@course_app.command("create")
@_reports_errors
def course_create(
    title: Annotated[str, typer.Argument(help="The course's title.")],
    code: Annotated[str | None, typer.Option(help="The school's own code.")] = None,
    time_zone: Annotated[str, typer.Option(help="Report times in this zone.")] = DEFAULT_TIME_ZONE,
    min_percent: PercentOpt = None,
    min_minutes: MinutesOpt = None,
    min_quiz_score: ScoreOpt = None,
    record_classes: RecordOpt = None,
    retention_days: RetentionOpt = None,
    watching_counts: WatchingOpt = None,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Create a course (then: import its roster, attach its classes, issue links)."""
    body = CourseCreate(title=title, code=code, time_zone=time_zone,
                        rule=rule_of(min_percent, min_minutes, min_quiz_score),
                        record_classes=bool(record_classes), recording_retention_days=retention_days,
                        watching_counts=bool(watching_counts))  # fmt: skip
    s = _services(config, data_dir)
    info = catalog.create(s.db, body.title, body.code, body.time_zone, body.rule,
                          recording=body.recording())  # fmt: skip
    _print_json(info) if json_output else _print_course(info)


@course_app.command("list")
@_reports_errors
def course_list(
    json_output: JsonOpt = False, config: ConfigOpt = None, data_dir: DataDirOpt = None
) -> None:
    """List courses, newest first."""
    found = catalog.list_courses(_services(config, data_dir).db)
    if json_output:
        typer.echo(COURSE_LIST.dump_json(found, indent=2).decode())
        return
    table = Table("id", "title", "code", "trainees", "classes", "created")
    for c in found:
        table.add_row(c.id, Text(c.title), Text(c.code or ""), str(c.trainees),
                      str(len(c.class_ids)), _when(c.created_at))  # fmt: skip
    _out().print(table)


@course_app.command("show")
@_reports_errors
def course_show(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """A course: its rule, roster size and classes."""
    info = catalog.get(_services(config, data_dir).db, course_id)
    _print_json(info) if json_output else _print_course(info)


@course_app.command("attach")
@_reports_errors
def course_attach(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    class_ids: Annotated[list[str], typer.Argument(help="Class ids to put in the course.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Put classes in the course (all or none)."""
    _print_course(catalog.attach(_services(config, data_dir).db, course_id, class_ids))


@course_app.command("rule")
@_reports_errors
def course_rule(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    min_percent: PercentOpt = None,
    min_minutes: MinutesOpt = None,
    min_quiz_score: ScoreOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Set the completion rule: the parts given (a part left out is not required)."""
    rule = rule_of(min_percent, min_minutes, min_quiz_score)
    _print_course(catalog.set_rule(_services(config, data_dir).db, course_id, rule))


@course_app.command("recording")
@_reports_errors
def course_recording(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    record_classes: RecordOpt = None,
    retention_days: RetentionOpt = None,
    keep_recordings: Annotated[bool, typer.Option(
        "--keep-recordings", help="Never delete the course's recordings.")] = False,  # fmt: skip
    watching_counts: WatchingOpt = None,
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Change the recording settings given (the others stay as they are)."""
    if keep_recordings and retention_days is not None:
        raise typer.BadParameter("--retention-days or --keep-recordings, not both")
    changes: dict[str, object] = {}
    if record_classes is not None:
        changes["record_classes"] = record_classes
    if retention_days is not None or keep_recordings:
        changes["recording_retention_days"] = retention_days
    if watching_counts is not None:
        changes["watching_counts"] = watching_counts
    info = catalog.set_recording(_services(config, data_dir).db, course_id, changes)
    _print_json(info) if json_output else _print_course(info)


@course_app.command("import")
@_reports_errors
def course_import(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    file: Annotated[Path, typer.Argument(help="Roster as .csv or .xlsx.", exists=True,
                                         dir_okay=False, readable=True)],  # fmt: skip
    merge: Annotated[bool, typer.Option("--merge", help="Add and update only; keep the "
                                        "trainees not in the file.")] = False,  # fmt: skip
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Import the roster (columns: mã học viên, họ và tên, đơn vị); any bad row imports nothing."""
    fmt: RosterFormat = "xlsx" if file.suffix.lower() in (".xlsx", ".xlsm") else "csv"
    db = _services(config, data_dir).db
    catalog.get(db, course_id)
    try:
        rows = parse_roster(file.read_bytes(), fmt)
    except RosterInvalid as e:
        err.print(f"error: {file} was not imported; fix these rows:", markup=False)
        for p in e.problems:
            err.print(f"  {p}", markup=False)
        raise typer.Exit(1) from None
    done = catalog.import_roster(db, course_id, rows, "merge" if merge else "replace")
    typer.echo(f"Imported {file.name}: {done.added} added, {done.updated} updated, "
               f"{done.removed} removed; {done.trainees} trainees on the roster.")  # fmt: skip


@course_app.command("links")
@_reports_errors
def course_links(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    output: OutputOpt = None,
    ttl_hours: Annotated[float | None, typer.Option(min=0.01,
                         help="Lifetime [course_link_ttl_hours].")] = None,  # fmt: skip
    lang: LangOpt = "vi",
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Issue every trainee on the roster a personal course link; --output links.xlsx or .csv."""
    words = _lang(lang)
    s = _services(config, data_dir)
    zone = catalog.get(s.db, course_id).time_zone
    links = reports.issue_course_links(s, course_id, ttl_hours)
    if json_output:
        typer.echo(LINK_LIST.dump_json(links, indent=2).decode())
    elif output is not None:
        fmt = _format(None, output, ("csv", "xlsx"))
        _write(reports.links_file(links, fmt, words, zone), output, True)  # type: ignore[arg-type]
    else:
        for x in links:
            typer.echo(f"{x.external_id}\t{x.name}\t{x.link}")


def _report(kind: str, ident: str, fmt: str | None, output: Path | None, lang: str,
            config: Path | None, data_dir: Path | None) -> None:  # fmt: skip
    chosen: Format = _format(fmt, output, ("json", "csv", "xlsx", "pdf"))  # type: ignore[assignment]
    s = _services(config, data_dir)
    builder = reports.reports(s)
    report = builder.course(ident) if kind == "course" else builder.klass(ident)
    made = reports.report_file(s, report, chosen, _lang(lang))
    _write(made.data, output, chosen in ("xlsx", "pdf"))
    if chosen == "pdf":
        typer.echo("The PDF is signed." if made.signed else
                   "The PDF is NOT signed: no certificate is configured (report_certificate).",
                   err=True)  # fmt: skip


FormatOpt = Annotated[str | None, typer.Option("--format", help="json, csv, xlsx or pdf "
                                               "[the --output suffix, else json].")]  # fmt: skip


@report_app.command("class")
@_reports_errors
def report_class(
    class_id: Annotated[str, typer.Argument(help="The class id.")],
    format: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = "vi",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """A class's attendance report per trainee (the PDF signed when a certificate is set)."""
    _report("class", class_id, format, output, lang, config, data_dir)


@report_app.command("course")
@_reports_errors
def report_course(
    course_id: Annotated[str, typer.Argument(help="The course id.")],
    format: FormatOpt = None,
    output: OutputOpt = None,
    lang: LangOpt = "vi",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """A course's attendance report: each trainee's classes, time, completion and why not."""
    _report("course", course_id, format, output, lang, config, data_dir)


@report_app.command("verify")
@_reports_errors
def report_verify(
    file: Annotated[Path, typer.Argument(help="A PDF report.", exists=True, dir_okay=False)],
    json_output: JsonOpt = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Check a PDF report's signature: exit 0 when genuine and unchanged, 1 otherwise."""
    s = _services(config, data_dir)
    result = reports.verify_pdf(s.settings, file.read_bytes())
    if json_output:
        _print_json(result)
    else:
        typer.echo(f"signed:     {'yes' if result.signed else 'no'}")
        typer.echo(f"valid:      {'yes' if result.valid else 'NO'}")
        typer.echo(f"unchanged:  {'yes' if result.unchanged else 'NO'}")
        typer.echo(f"trusted:    {'yes' if result.trusted else 'no'}")
        if result.signer:
            typer.echo(f"signed by:  {result.signer}")
        if result.signed_at:
            zone = catalog.time_zone(s.settings.time_zone)
            typer.echo(f"signed at:  {result.signed_at.astimezone(zone).isoformat()}")
        if result.problem:
            typer.echo(f"problem:    {result.problem}")
    if not (result.valid and result.unchanged):
        raise typer.Exit(1)

