"""Tables as files the training office opens in Excel: CSV (UTF-8 with BOM) and XLSX.

Cells typed by people (names, units) are defused the same way in both, so a name starting
with "=" is text, never a formula. XLSX columns get a width that fits their content.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from classroom.attendance import excel_csv, spreadsheet_safe
from classroom.reports.build import Report
from classroom.reports.words import (
    Lang,
    detail_header,
    detail_rows,
    heading,
    summary_header,
    summary_rows,
    title,
    word,
)

Cell = str | int | float
Sheet = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]  # name, header, rows
MAX_WIDTH = 60


def _safe(value: Cell) -> Cell:
    return spreadsheet_safe(value) if isinstance(value, str) else value


def table_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    return excel_csv(header, ([_safe(v) for v in row] for row in rows)).encode("utf-8")


def table_xlsx(sheets: Sequence[Sheet], preamble: Sequence[Sequence[str]] = ()) -> bytes:
    """One sheet per table; `preamble` lines (title, course...) go above the first one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for number, (name, header, rows) in enumerate(sheets):
        sheet = book.create_sheet(name[:31])
        if number == 0:
            for line in preamble:
                sheet.append([_safe(v) for v in line])
            if preamble:
                sheet.cell(row=1, column=1).font = Font(bold=True)
                sheet.append([])
        sheet.append(list(header))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe(v) for v in row])
        for i, label in enumerate(header, start=1):
            widest = max([len(str(label))] + [len(str(r[i - 1])) for r in rows if i <= len(r)])
            sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, widest + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_csv(report: Report, lang: Lang) -> bytes:
    return table_csv(summary_header(report, lang), summary_rows(report, lang))


def report_xlsx(report: Report, lang: Lang) -> bytes:
    sheets: list[Sheet] = [
        (word(lang, "summary"), summary_header(report, lang), summary_rows(report, lang))
    ]
    if report.kind == "course":
        sheets.append((word(lang, "detail"), detail_header(lang), detail_rows(report, lang)))
    preamble = [[title(report, lang)], [report.title], *([k, v] for k, v in heading(report, lang))]
    return table_xlsx(sheets, preamble)
