"""The spreadsheet template (formats/table.py) as CSV: UTF-8 (with or without the BOM Excel
writes), comma, semicolon or tab separated (Excel uses the semicolon where the comma is the
decimal mark). Exported cells that a spreadsheet would run as a formula get a leading ``'``,
which the import takes off again."""

from __future__ import annotations

import csv
import io

from classroom.assessment.formats.table import parse_rows, rows_of
from classroom.assessment.questions import ImportResult, Problem, Question

FORMULA_START = ("=", "+", "-", "@")


def parse(data: bytes, topic: str = "") -> ImportResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return ImportResult(
            problems=[Problem(f"row {line}", "not_utf8", "the file is not UTF-8 text: save it as “CSV UTF-8”")]
        )
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        rows = [[_unquote(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as e:
        return ImportResult(problems=[Problem("file", "bad_csv", f"the file is not valid CSV: {e}")])
    return parse_rows(rows, topic)


def _unquote(cell: str) -> str:
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_START else cell


def _quote(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def write(questions: list[Question], language: str = "vi") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows_of(questions, language):
        writer.writerow([_quote(c) for c in row])
    return out.getvalue().encode("utf-8-sig")
