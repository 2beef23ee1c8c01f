"""Roster files: the trainees of a course as the training office keeps them, in CSV or XLSX.

Pure parsing, no database: bytes in, rows out, or `RosterInvalid` listing every bad row (its
number as the spreadsheet shows it, the column, why), so that the caller imports all or
nothing. Columns are found by their header (the first row that names them, within
the first few: a title may stand above it), in English or Vietnamese, in any order: external
id (mã học viên), name (họ và tên), unit (đơn vị, optional). Extra columns are ignored.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from classroom.courses.models import UNIT_MAX
from classroom.errors import RosterInvalid, RosterProblem
from classroom.models import EXTERNAL_ID_MAX, NAME_MAX

RosterFormat = Literal["csv", "xlsx"]
MAX_ROWS = 5000  # the largest course of a provincial school is a few hundred trainees
MAX_PROBLEMS = 50
HEADER_SEARCH_ROWS = 10
MAX_UNPACKED_BYTES = 64 * 2**20  # a roster of 5000 trainees unpacks to a few MiB  # a title or a date may stand above the header  # enough to fix a file; the rest are counted, not listed

HEADERS: dict[str, tuple[str, ...]] = {
    "external_id": (
        "external id", "external_id", "id", "trainee id", "mã học viên", "mã hv", "mã",
        "mã số", "mã số học viên",
    ),
    "name": ("name", "full name", "họ và tên", "họ tên", "tên", "họ và tên học viên"),
    "unit": ("unit", "đơn vị", "đơn vị công tác", "cơ quan"),
}  # fmt: skip
LIMITS = {"external_id": EXTERNAL_ID_MAX, "name": NAME_MAX, "unit": UNIT_MAX}
COLUMN_LABELS = {"external_id": "external id (mã học viên)", "name": "name (họ và tên)",
                 "unit": "unit (đơn vị)"}  # fmt: skip


@dataclass(frozen=True)
class RosterRow:
    row: int  # as the spreadsheet numbers it (the header is row 1 when it is the first)
    external_id: str
    name: str
    unit: str | None


def _key(header: object) -> str:
    text = unicodedata.normalize("NFC", str(header or "")).strip().lower().replace("_", " ")
    return " ".join(text.split())


def _cell(value: object) -> str:
    """A cell as text: 12345.0 (a number typed in Excel) is the id 12345."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def parse_roster(data: bytes, fmt: RosterFormat) -> list[RosterRow]:
    """Every trainee of the file, or RosterInvalid naming each bad row."""
    lines = _xlsx_rows(data) if fmt == "xlsx" else _csv_rows(data)
    return _rows(lines)


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterInvalid(
            [RosterProblem(0, "", "the CSV file is not UTF-8; save it as 'CSV UTF-8'")]
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)  # Excel in a Vietnamese locale writes ';'
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except csv.Error as e:
        raise RosterInvalid([RosterProblem(reader.line_num, "", f"not valid CSV: {e}")]) from None


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    from openpyxl import load_workbook  # only when a spreadsheet comes

    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        unpacked = 0  # openpyxl says what is wrong with it, below
    if unpacked > MAX_UNPACKED_BYTES:
        raise RosterInvalid([RosterProblem(
            0, "", f"the XLSX file unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MiB"
        )])  # fmt: skip
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise RosterInvalid(
            [RosterProblem(0, "", "not an XLSX file (save it from Excel as .xlsx)")]
        ) from None
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, row
    finally:
        book.close()


def _columns(header: Sequence[object]) -> tuple[dict[str, int], list[str]]:
    """The header's columns, and the required ones it lacks."""
    keys = [_key(h) for h in header]
    found: dict[str, int] = {}
    for field, names in HEADERS.items():
        for i, key in enumerate(keys):
            if key in names and field not in found:
                found[field] = i
    return found, [COLUMN_LABELS[f] for f in ("external_id", "name") if f not in found]


def _rows(lines: Iterable[tuple[int, Sequence[object]]]) -> list[RosterRow]:
    columns: dict[str, int] | None = None
    lead: list[tuple[int, list[str]]] = []  # lines above the header (a title, a date)
    rows: list[RosterRow] = []
    problems: list[RosterProblem] = []
    seen: dict[str, int] = {}
    for number, line in lines:
        cells = [_cell(v) for v in line]
        if not any(cells):
            continue
        if columns is None:
            found, missing = _columns(line)
            if not missing:
                columns = found
            elif len(lead) < HEADER_SEARCH_ROWS:
                lead.append((number, missing))
            else:
                break
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            raise RosterInvalid([RosterProblem(number, "", f"more than {MAX_ROWS} trainees")])
        values = {f: cells[i] if i < len(cells) else "" for f, i in columns.items()}
        bad = _check(number, values, seen)
        if bad:
            problems.extend(bad)
            continue
        seen[values["external_id"]] = number
        rows.append(RosterRow(number, values["external_id"], values["name"],
                              values.get("unit") or None))  # fmt: skip
    if columns is None and not lead:
        problems.append(RosterProblem(0, "", "the file is empty (no header row)"))
    elif columns is None:
        number, missing = lead[0]
        why = f"no column {' or '.join(missing)} in the header row"
        problems.append(RosterProblem(number, "", why))
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(RosterProblem(0, "", f"{len(problems) - MAX_PROBLEMS} more problems"))
        raise RosterInvalid(shown)
    return rows


def _check(number: int, values: dict[str, str], seen: dict[str, int]) -> list[RosterProblem]:
    problems = []
    for field in ("external_id", "name"):
        if not values[field]:
            problems.append(RosterProblem(number, COLUMN_LABELS[field], "empty"))
    for field, value in values.items():
        if len(value) > LIMITS[field]:
            problems.append(RosterProblem(
                number, COLUMN_LABELS[field], f"longer than {LIMITS[field]} characters"
            ))  # fmt: skip
        elif not value.isprintable():
            problems.append(RosterProblem(number, COLUMN_LABELS[field], "has control characters"))
    external_id = values["external_id"]
    if external_id in seen:
        problems.append(RosterProblem(
            number, COLUMN_LABELS["external_id"], f"{external_id!r} is also on row {seen[external_id]}"
        ))  # fmt: skip
    return problems
