"""docs/examples holds a demo class's report as XLSX and as a signed PDF (bench/demo_report.py
makes them): they open, name the demo trainees, and the PDF's signature verifies."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from bench.demo_report import CLASS_TITLE, ROSTER, SIGNER
from classroom.reports.signature import verify

EXAMPLES = Path(__file__).parents[3] / "docs" / "examples"


def test_the_example_xlsx_is_the_demo_class() -> None:
    sheet = load_workbook(EXAMPLES / "demo-class-report.xlsx").worksheets[0]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    assert {t.name for t in ROSTER} <= cells and CLASS_TITLE in cells


def test_the_example_pdf_is_signed_by_the_demo_certificate() -> None:
    data = (EXAMPLES / "demo-class-report.signed.pdf").read_bytes()
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert all(t.name in text for t in ROSTER) and "DEMO" in text
    checked = verify(data, [(EXAMPLES / "demo-ca.der").read_bytes()])
    assert (checked.valid, checked.unchanged, checked.trusted) == (True, True, True)
    assert checked.signer_common_name == SIGNER
