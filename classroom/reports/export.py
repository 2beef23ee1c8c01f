"""A report as a file: JSON, CSV, XLSX or PDF, the PDF signed when the school has a certificate.

The one place that turns a `Report` into bytes, for the REST API, the CLI and the demo; an
unsigned PDF says so on its page and `signed` says so to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from classroom.reports.build import Report
from classroom.reports.pdf import report_pdf
from classroom.reports.signature import SchoolCertificate
from classroom.reports.spreadsheet import report_csv, report_xlsx
from classroom.reports.words import Lang, title

Format = Literal["json", "csv", "xlsx", "pdf"]
MEDIA_TYPES: dict[Format, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ReportFile:
    data: bytes
    media_type: str
    filename: str
    signed: bool  # a PDF signed with the school's certificate


def export(
    report: Report,
    fmt: Format,
    lang: Lang,
    certificate: SchoolCertificate | None = None,
    font: Path | None = None,
) -> ReportFile:
    name = f"attendance-{report.kind}-{report.id}.{fmt}"
    if fmt == "json":
        data = report.model_dump_json(indent=2).encode()
    elif fmt == "csv":
        data = report_csv(report, lang)
    elif fmt == "xlsx":
        data = report_xlsx(report, lang)
    else:
        signer = certificate.common_name if certificate else None
        data = report_pdf(report, lang, signer, font)
        if certificate is not None:
            data = certificate.sign(data, f"{title(report, lang)}: {report.title}")
    return ReportFile(data, MEDIA_TYPES[fmt], name, fmt == "pdf" and certificate is not None)
