"""Exports read back as a school's staff and an inspector would: CSV with the csv module, XLSX
with openpyxl, the PDF's text with pypdf (Vietnamese names intact), and the PAdES signature
validated with pyHanko's own validation API against a CA the test made."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from asn1crypto import x509
from sqlalchemy.orm import Session, sessionmaker

from bench.certificates import MadeCertificate, make_certificate
from bench.demo_report import ROSTER, Demo, reports, seed
from classroom.attendance import AttendanceLog
from classroom.reports.build import Report
from classroom.reports.export import export
from classroom.reports.pdf import find_font
from classroom.reports.signature import SchoolCertificate, verify
from classroom.roles import Role
from classroom.errors import ReportUnavailable

NAMES = [t.name for t in ROSTER]


@pytest.fixture
def demo(db: sessionmaker[Session]) -> Demo:
    return seed(db)


@pytest.fixture
def class_report(db: sessionmaker[Session], demo: Demo) -> Report:
    return reports(db).klass(demo.class_id)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> MadeCertificate:
    return make_certificate(tmp_path_factory.mktemp("ca"), "Trường Chính trị Hoàng Văn Thụ",
                            "Trường Chính trị tỉnh Lạng Sơn", password="mật-khẩu")  # fmt: skip


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_csv_reads_back_with_bom_and_vietnamese(class_report: Report) -> None:
    data = export(class_report, "csv", "vi").data
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["STT", "Mã học viên", "Họ và tên", "Đơn vị"]
    by_id = {r[1]: dict(zip(header, r, strict=True)) for r in body}
    assert [r[2] for r in body] == NAMES
    nhung = by_id["LS-0153"]
    assert (nhung["Vào lớp lần đầu"], nhung["Rời lớp lần cuối"]) == ("10/03/2025 08:00:00", "10/03/2025 09:58:00")
    assert (nhung["Thời gian học"], nhung["Số giây"], nhung["Hình thức"]) == ("1:58:00", "7080", "trực tuyến")
    assert nhung["Đạt yêu cầu buổi"] == "Đạt"
    thu = by_id["LS-0154"]  # a reconnect: one interval shown, the 40 s gap not counted
    assert thu["Các khoảng thời gian"] == "08:02:00–09:59:00 (trực tuyến)"
    assert int(thu["Số giây"]) == (119 - 2) * 60 - 40
    mai = by_id["LS-0155"]  # checked in in the room, never checked out: to the class end
    assert (mai["Hình thức"], mai["Thời gian học"]) == ("tại phòng học", "1:59:00")
    assert by_id["LS-0157"]["Đạt yêu cầu buổi"] == "Không đạt"
    assert (by_id["LS-0158"]["Hình thức"], by_id["LS-0158"]["Số giây"]) == ("vắng", "0")


def test_a_name_typed_as_a_formula_stays_text(db: sessionmaker[Session], demo: Demo) -> None:
    log = AttendanceLog(db)
    log.left(log.joined(demo.class_id, "px", Role.TRAINEE, None, "=HYPERLINK(\"x\")"), "closed")
    report = reports(db).klass(demo.class_id)
    rows = list(csv.reader(io.StringIO(export(report, "csv", "en").data.decode("utf-8-sig"))))
    assert rows[-1][2].startswith("'=HYPERLINK")
    sheet = load_workbook(io.BytesIO(export(report, "xlsx", "en").data)).worksheets[0]
    assert any(str(c.value).startswith("'=HYPERLINK") for row in sheet.iter_rows() for c in row)


def test_xlsx_reads_back_with_openpyxl(db: sessionmaker[Session], demo: Demo, class_report: Report) -> None:
    book = load_workbook(io.BytesIO(export(class_report, "xlsx", "vi").data))
    sheet = book.worksheets[0]
    assert sheet.title == "Tổng hợp"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "BÁO CÁO ĐIỂM DANH LỚP HỌC"
    assert ["Múi giờ", "Asia/Ho_Chi_Minh"] == values[[v[0] for v in values].index("Múi giờ")][:2]
    header_at = [v[0] for v in values].index("STT")
    table = values[header_at + 1:]
    assert [r[2] for r in table] == NAMES
    assert table[0][9] == 7080 and isinstance(table[0][9], int)  # seconds stay numbers
    course = load_workbook(io.BytesIO(export(reports(db).course(demo.course_id), "xlsx", "vi").data))
    assert course.sheetnames == ["Tổng hợp", "Chi tiết"]
    detail = [[c.value for c in row] for row in course["Chi tiết"].iter_rows()]
    assert detail[0][:3] == ["Mã học viên", "Họ và tên", "Lớp học"] and len(detail) == 1 + len(NAMES)


def test_unsigned_pdf_says_so_and_keeps_vietnamese(class_report: Report) -> None:
    made = export(class_report, "pdf", "vi")
    assert not made.signed and made.data.startswith(b"%PDF")
    text = pdf_text(made.data)
    for name in NAMES:
        assert name in text
    assert "BÁO CÁO ĐIỂM DANH LỚP HỌC" in text and "Sở Giáo dục và Đào tạo" in text
    assert "chưa được ký số" in text and "Trang 1/1" in text
    assert verify(made.data, []).problem == "the document has no digital signature"
    # An embedded TrueType font (DejaVu or Noto), not a core font without Vietnamese letters.
    fonts = PdfReader(io.BytesIO(made.data)).pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        described = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in described
        assert any(n in str(font["/BaseFont"]) for n in ("DejaVu", "Noto"))


def test_signed_pdf_validates_with_pyhanko_and_a_changed_byte_does_not(
    class_report: Report, made: MadeCertificate
) -> None:
    certificate = SchoolCertificate.load(made.p12, made.password)
    signed = export(class_report, "pdf", "vi", certificate)
    assert signed.signed
    text = pdf_text(signed.data)
    assert "Báo cáo được ký số bởi: Trường Chính trị Hoàng Văn Thụ" in text and NAMES[0] in text

    # pyHanko's own validation, against the CA the test made.
    sig = PdfFileReader(io.BytesIO(signed.data)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[x509.Certificate.load(made.ca_der)], allow_fetching=False)
    status = validate_pdf_signature(sig, context)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt is not None  # the signing time
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert status.signing_cert.subject.native["common_name"] == "Trường Chính trị Hoàng Văn Thụ"

    ours = verify(signed.data, [made.ca_der])
    assert (ours.valid, ours.unchanged, ours.trusted, ours.problem) == (True, True, True, None)
    assert ours.signer_common_name == "Trường Chính trị Hoàng Văn Thụ"
    untrusted = verify(signed.data, [])
    assert (untrusted.valid, untrusted.unchanged, untrusted.trusted) == (True, True, False)

    # One byte changed inside what the signature covers.
    at = signed.data.index(b"classbridge")  # the document's /Creator
    changed = bytearray(signed.data)
    changed[at] ^= 0x01
    tampered = verify(bytes(changed), [made.ca_der])
    assert (tampered.signed, tampered.valid, tampered.unchanged) == (True, False, False)
    assert tampered.problem == "the document was changed after it was signed"
    again = validate_pdf_signature(
        PdfFileReader(io.BytesIO(bytes(changed))).embedded_signatures[0], context
    )
    assert not again.intact and not again.bottom_line


def test_english_words_and_missing_fonts_or_certificates(
    class_report: Report, tmp_path: Path, made: MadeCertificate
) -> None:
    text = pdf_text(export(class_report, "pdf", "en").data)
    assert "CLASS ATTENDANCE REPORT" in text and "not digitally signed" in text
    with pytest.raises(ReportUnavailable):
        find_font(tmp_path / "none.ttf")
    with pytest.raises(ReportUnavailable, match="password"):
        SchoolCertificate.load(made.p12, "wrong")
    with pytest.raises(ReportUnavailable, match="cannot read"):
        SchoolCertificate.load(tmp_path / "none.p12", None)
    assert verify(b"not a pdf", []).problem is not None


def test_a_long_report_runs_over_numbered_pages(db: sessionmaker[Session]) -> None:
    from classroom import classes
    from classroom.courses import catalog
    from classroom.courses.roster_file import RosterRow

    course = catalog.create(db, "Khóa đông học viên")
    roster = [RosterRow(i + 2, f"HV{i:03d}", f"Phạm Thị Thu Hường {i}", "Ủy ban nhân dân tỉnh Lạng Sơn")
              for i in range(90)]  # fmt: skip
    catalog.import_roster(db, course.id, roster, "replace")
    k = classes.create(db, "Buổi đông người")
    catalog.attach(db, course.id, [k.id])
    data = export(reports(db).klass(k.id), "pdf", "vi").data
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) > 1
    for n, text in enumerate(pages, start=1):
        assert f"Trang {n}/{len(pages)}" in text
        assert "Họ và tên" in text  # the table's heading on every page
    everything = "\n".join(pages)
    assert all(t.name in everything for t in roster)
