"""`classbridge course ...` and `classbridge report ...` on a data directory."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from bench.certificates import make_certificate
from classroom import classes
from signaling.cli.main import app
from signaling.server.services import Services
from signaling.server.settings import Settings

runner = CliRunner()


def run(data_dir: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)])
    assert result.exit_code == code, result.output
    return result.output


def test_course_from_roster_to_signed_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    created = json.loads(run(data, "course", "create", "Khóa 12", "--code", "K12",
                             "--min-percent", "80", "--json"))  # fmt: skip
    cid = created["id"]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (["Mã học viên", "Họ và tên", "Đơn vị"], ["HV001", "Nguyễn Thị Hồng Nhung", "Sở Nội vụ"],
                ["HV002", "Hoàng Văn Thụ", None]):
        sheet.append(row)
    book.save(tmp_path / "roster.xlsx")
    assert "2 added, 0 updated, 0 removed; 2 trainees" in run(data, "course", "import", cid,
                                                              str(tmp_path / "roster.xlsx"))  # fmt: skip
    (tmp_path / "bad.csv").write_text("id,name\nHV3,\n,Ân\n", encoding="utf-8")
    result = runner.invoke(app, ["course", "import", cid, str(tmp_path / "bad.csv"), "--data-dir", str(data)])
    assert result.exit_code == 1
    assert "row 2, name (họ và tên): empty" in result.output
    assert "row 3, external id (mã học viên): empty" in result.output

    services = Services.open(Settings.load(data_dir=data))
    k = classes.create(services.db, "Buổi 1")
    assert k.id in run(data, "course", "attach", cid, k.id)
    assert "at least 90 minutes in all" in run(data, "course", "rule", cid, "--min-minutes", "90")
    links = json.loads(run(data, "course", "links", cid, "--json"))
    assert [x["external_id"] for x in links] == ["HV001", "HV002"] and "/course#t=" in links[0]["link"]
    run(data, "course", "links", cid, "--output", str(tmp_path / "links.xlsx"))
    assert load_workbook(tmp_path / "links.xlsx").worksheets[0]["B2"].value == "Nguyễn Thị Hồng Nhung"

    csv_text = run(data, "report", "course", cid, "--format", "csv")
    assert "Nguyễn Thị Hồng Nhung" in csv_text and "Hoàng Văn Thụ" in csv_text
    unsigned = tmp_path / "unsigned.pdf"
    out = run(data, "report", "class", k.id, "--output", str(unsigned))
    assert "NOT signed" in out
    assert "problem:    the document has no digital signature" in run(data, "report", "verify",
                                                                      str(unsigned), code=1)  # fmt: skip
    run(data, "report", "class", k.id, "--format", "pdf", code=2)  # binary needs --output

    made = make_certificate(tmp_path / "ca", "Trường Chính trị Hoàng Văn Thụ", "Trường Chính trị tỉnh Lạng Sơn")
    monkeypatch.setenv("CLASSBRIDGE_REPORT_CERTIFICATE", str(made.p12))
    monkeypatch.setenv("CLASSBRIDGE_REPORT_CERTIFICATE_PASSWORD", made.password)
    signed = tmp_path / "signed.pdf"
    assert "The PDF is signed." in run(data, "report", "course", cid, "--output", str(signed))
    checked = run(data, "report", "verify", str(signed))
    assert "valid:      yes" in checked and "unchanged:  yes" in checked and "trusted:    yes" in checked
    assert "Trường Chính trị Hoàng Văn Thụ" in checked
    changed = bytearray(signed.read_bytes())
    changed[changed.index(b"classbridge")] ^= 1
    (tmp_path / "changed.pdf").write_bytes(bytes(changed))
    assert "valid:      NO" in run(data, "report", "verify", str(tmp_path / "changed.pdf"), code=1)
    # Verified elsewhere, without the school's certificate: genuine, but not trusted there.
    monkeypatch.delenv("CLASSBRIDGE_REPORT_CERTIFICATE")
    elsewhere = json.loads(run(tmp_path / "other", "report", "verify", str(signed), "--json"))
    assert (elsewhere["valid"], elsewhere["trusted"]) == (True, False)
    (tmp_path / "ca.der").write_bytes(made.ca_der)
    monkeypatch.setenv("CLASSBRIDGE_REPORT_TRUST_ROOTS", json.dumps([str(tmp_path / "ca.der")]))
    assert json.loads(run(tmp_path / "other", "report", "verify", str(signed), "--json"))["trusted"]


def test_cli_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    assert "there is no course 'nope'" in run(data, "course", "show", "nope", code=1)
    assert "time zone" in run(data, "course", "create", "X", "--time-zone", "Mars/Olympus", code=1)
    monkeypatch.setenv("CLASSBRIDGE_REPORT_CERTIFICATE", str(tmp_path / "none.p12"))
    k = classes.create(Services.open(Settings.load(data_dir=data)).db, "Buổi 1")
    out = run(data, "report", "class", k.id, "--output", str(tmp_path / "r.pdf"), code=1)
    assert "report_certificate: cannot read" in out and "Traceback" not in out
    assert io.StringIO(out).readline().startswith("error:")


def test_course_recording_settings(tmp_path: Path) -> None:
    data = tmp_path / "data"
    created = json.loads(run(data, "course", "create", "Khóa 12", "--record-classes",
                             "--retention-days", "30", "--min-percent", "80", "--json"))  # fmt: skip
    assert (created["record_classes"], created["recording_retention_days"], created["watching_counts"]) == (True, 30, False)
    cid = created["id"]
    out = run(data, "course", "recording", cid, "--watching-counts", "--keep-recordings")
    assert "recording:  every class; kept forever" in out
    assert "watching a missed class's e-lecture makes up for it" in out
    shown = json.loads(run(data, "course", "show", cid, "--json"))
    assert (shown["record_classes"], shown["recording_retention_days"], shown["watching_counts"]) == (True, None, True)
    assert "kept 7 days" in run(data, "course", "recording", cid, "--no-record-classes", "--retention-days", "7")
    run(data, "course", "recording", cid, "--retention-days", "0", code=2)  # typer refuses it
    run(data, "course", "recording", cid, "--retention-days", "9", "--keep-recordings", code=2)
    assert json.loads(run(data, "course", "show", cid, "--json"))["recording_retention_days"] == 7
