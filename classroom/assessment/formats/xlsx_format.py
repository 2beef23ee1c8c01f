"""The spreadsheet template (formats/table.py) as an XLSX workbook: the first sheet, read
with openpyxl; cells are written as text, never as formulas."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.utils.exceptions import InvalidFileException

from classroom.assessment.formats.table import MAX_ROWS, parse_rows, rows_of
from classroom.assessment.questions import ImportResult, Problem, Question

MAX_COLUMNS = 40


def parse(data: bytes, topic: str = "") -> ImportResult:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as e:
        return ImportResult(
            problems=[Problem("file", "bad_xlsx", f"the file is not an Excel workbook (.xlsx): {e}")]
        )
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True)
        return parse_rows(rows, topic)
    finally:
        book.close()


def write(questions: list[Question], language: str = "vi") -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Câu hỏi" if language == "vi" else "Questions"
    for r, row in enumerate(rows_of(questions, language), start=1):
        for c, value in enumerate(row, start=1):
            if value:
                cell = sheet.cell(row=r, column=c)
                cell.value = value
                cell.data_type = TYPE_STRING
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
