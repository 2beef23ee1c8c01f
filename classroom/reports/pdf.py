"""The report as a PDF to print, file and sign (fpdf2, a TrueType font embedded).

Vietnamese needs a font that has its letters (ệ, ữ, ơ...) embedded in the file: the core
PDF fonts have none of them. The font is DejaVu Sans (Debian's fonts-dejavu-core, installed
by scripts/install.sh) or Noto Sans, or the file the `report_font` setting names. The PDF
says on its last line whether it is signed, and by whom, before it is signed
(classroom/reports/signature.py adds the signature after).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from classroom.errors import ReportUnavailable
from classroom.reports.build import Report
from classroom.reports.words import Lang, heading, summary_header, summary_rows, title, word

FONT_FILES: tuple[tuple[str, str], ...] = (  # regular, bold
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
     "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf"),
)  # fmt: skip
FAMILY = "ReportSans"
FONT_SIZE = 8


def find_font(configured: Path | None = None) -> tuple[Path, Path]:
    """(regular, bold) font files; ReportUnavailable naming what to install when none is there."""
    if configured is not None:
        if not configured.is_file():
            raise ReportUnavailable(f"report_font: there is no font file {configured}")
        return configured, configured
    for regular, bold in FONT_FILES:
        if Path(regular).is_file():
            return Path(regular), Path(bold) if Path(bold).is_file() else Path(regular)
    raise ReportUnavailable(
        "no font with Vietnamese letters for the PDF report: install the Debian package "
        "fonts-dejavu-core (scripts/install.sh does) or set report_font to a .ttf file"
    )


def _pdf_columns(header: Sequence[str], report: Report, lang: Lang) -> list[int]:
    """The columns that fit a printed page: no raw seconds, no per-class or per-e-lecture
    columns (the total watched stays)."""
    per_class, per_lecture = f"{word(lang, 'time')}: ", f"{word(lang, 'watched')}: "
    return [
        i
        for i, label in enumerate(header)
        if label != word(lang, "seconds")
        and not label.startswith(per_class)
        and not label.startswith(per_lecture)
    ]


def report_pdf(
    report: Report, lang: Lang, signer: str | None, font: Path | None = None
) -> bytes:
    """The report as PDF; `signer` is who will sign it (None: it says it is unsigned)."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular, bold = find_font(font)

    class Paged(FPDF):
        def footer(self) -> None:  # every page: its number of the whole, for a printed report
            self.set_y(-10)
            self.set_font(FAMILY, "", 7)
            self.cell(0, 5, word(lang, "page", n=self.page_no(), total="{nb}"), align="R")

    pdf = Paged(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(report.generated_at)
    pdf.set_title(f"{title(report, lang)}: {report.title}")
    pdf.set_creator("classbridge")
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_auto_page_break(True, margin=12)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 13)
    pdf.cell(0, 8, title(report, lang), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font(FAMILY, "B", 11)
    pdf.multi_cell(0, 6, report.title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(2)
    for label, value in heading(report, lang):
        pdf.set_font(FAMILY, "B", 9)
        pdf.cell(45, 5, f"{label}:")
        pdf.set_font(FAMILY, "", 9)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    header = summary_header(report, lang)
    keep = _pdf_columns(header, report, lang)
    pdf.set_font(FAMILY, "", FONT_SIZE)
    widths = [_width(header[i], lang) for i in keep]
    with pdf.table(
        col_widths=widths,
        text_align="LEFT",
        line_height=4,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
    ) as table:
        head = table.row()
        for i in keep:
            head.cell(header[i])
        for row in summary_rows(report, lang):
            line = table.row()
            for i in keep:
                line.cell(str(row[i]))
    pdf.ln(4)
    pdf.set_font(FAMILY, "B", 9)
    note = word(lang, "signed", signer=signer) if signer else word(lang, "unsigned")
    pdf.multi_cell(0, 5, note, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())




def _width(label: str, lang: Lang) -> int:
    """Relative column widths: text columns wide, numbers narrow."""
    for key, w in (("intervals", 6), ("reasons", 6), ("name", 4), ("unit", 3), ("no", 1)):
        if label == word(lang, key):
            return w
    return 2
