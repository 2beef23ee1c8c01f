"""Roster files: English or Vietnamese headers, CSV or XLSX, and every bad row named."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from classroom.courses.roster_file import MAX_ROWS, MAX_UNPACKED_BYTES, parse_roster
from classroom.errors import RosterInvalid


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems(data: bytes, fmt: str) -> list[tuple[int, str, str]]:
    with pytest.raises(RosterInvalid) as caught:
        parse_roster(data, fmt)  # type: ignore[arg-type]
    return [(p.row, p.column, p.why) for p in caught.value.problems]


def test_csv_with_vietnamese_headers_bom_and_semicolons() -> None:
    text = "\ufeffSTT;Mã học viên;Họ và tên;Đơn vị\n1;HV001;Nguyễn Thị Hồng Nhung;Sở Nội vụ\n2;HV002;Hoàng Văn Thụ;\n"
    rows = parse_roster(text.encode(), "csv")
    assert [(r.row, r.external_id, r.name, r.unit) for r in rows] == [
        (2, "HV001", "Nguyễn Thị Hồng Nhung", "Sở Nội vụ"),
        (3, "HV002", "Hoàng Văn Thụ", None),
    ]




def test_header_is_the_first_nonblank_row_in_xlsx() -> None:
    data = xlsx([[], ["Họ tên", "Mã học viên"], ["Lý Thị Mai", 10153.0], [None, None],
                 ["Đinh Công Tráng", "A-7"]])
    rows = parse_roster(data, "xlsx")
    assert [(r.row, r.external_id, r.name) for r in rows] == [
        (3, "10153", "Lý Thị Mai"), (5, "A-7", "Đinh Công Tráng")
    ]


def test_every_bad_row_is_named_with_its_column_and_why() -> None:
    long_name = "x" * 101
    text = ("mã học viên,họ và tên,đơn vị\nHV1,An,\n,Bình,\nHV3,,\nHV1,Chi,\nHV5," + long_name + ",\n")
    assert problems(text.encode(), "csv") == [
        (3, "external id (mã học viên)", "empty"),
        (4, "name (họ và tên)", "empty"),
        (5, "external id (mã học viên)", "'HV1' is also on row 2"),
        (6, "name (họ và tên)", "longer than 100 characters"),
    ]


def test_missing_columns_and_files_that_are_not_rosters() -> None:
    assert problems("name,unit\nAn,X\n".encode(), "csv") == [
        (1, "", "no column external id (mã học viên) in the header row")
    ]
    assert problems(b"", "csv") == [(0, "", "the file is empty (no header row)")]
    assert problems("mã,tên\n1,Ân\n".encode("latin-1"), "csv")[0][2].startswith("the CSV file is not UTF-8")
    assert problems(b"PK\x03\x04 not really a zip", "xlsx") == [
        (0, "", "not an XLSX file (save it from Excel as .xlsx)")
    ]


def test_a_title_line_may_stand_above_the_header() -> None:
    data = xlsx([["Danh sách học viên Khóa 12"], ["Mã học viên", "Họ và tên"], ["HV1", "An"]])
    assert [(r.row, r.external_id) for r in parse_roster(data, "xlsx")] == [(3, "HV1")]


def test_row_limit() -> None:
    text = "id,name\n" + "".join(f"{i},N{i}\n" for i in range(MAX_ROWS + 1))
    assert problems(text.encode(), "csv") == [(MAX_ROWS + 2, "", f"more than {MAX_ROWS} trainees")]


def test_an_xlsx_that_unpacks_to_too_much_is_refused_before_it_is_read() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<" + b"a" * (MAX_UNPACKED_BYTES + 1))
    assert len(out.getvalue()) < 1_000_000
    assert problems(out.getvalue(), "xlsx") == [(0, "", "the XLSX file unpacks to more than 64 MiB")]
