"""``classbridge bank`` on a real data directory."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from signaling.cli.main import app
from tests.signaling.test_cli import services
from tests.support.courses import make_course

SAMPLES = Path(__file__).parents[2] / "config" / "question-bank"
runner = CliRunner()


def run(data_dir: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--data-dir", str(data_dir)])
    return result.exit_code, result.stdout, result.stderr


def test_import_list_export(tmp_path: Path) -> None:
    data = tmp_path / "data"
    make_course(services(data).db, "c1")
    bad = tmp_path / "bad.csv"
    bad.write_text("question,A,B,answer\nCâu?,x,y,A\nCâu?,x,y,B\nThiếu?,x,y,\n", encoding="utf-8")
    code, out, errors = run(data, "bank", "import", "c1", str(bad))
    assert code == 1 and "nothing was imported" in errors
    assert "row 3: the same question as row 2 (duplicate)" in errors and "row 4" in errors
    code, out, _ = run(data, "bank", "import", "c1", str(bad), "--keep-valid")
    assert code == 0 and "Imported 1 question" in out
    code, out, _ = run(data, "bank", "import", "c1", str(SAMPLES / "sample.gift"))
    assert code == 0 and "Imported 7" in out, out
    code, out, _ = run(data, "bank", "list", "c1", "--topic", "Quản lý nhà nước")
    assert code == 0 and "Chủ tịch nước do Chính phủ bầu" in out and "3 question(s)" in out
    target = tmp_path / "out.xlsx"
    code, out, _ = run(data, "bank", "export", "c1", "--output", str(target))
    assert code == 0 and target.read_bytes()[:2] == b"PK"
    code, out, _ = run(data, "bank", "export", "c1", "--format", "gift")
    assert code == 0 and "$CATEGORY: Xây dựng Đảng" in out
    code, _, errors = run(data, "bank", "export", "c1", "--format", "aiken")
    assert code == 1 and "not a single-choice question" in errors
    code, _, errors = run(data, "bank", "import", "nope", str(SAMPLES / "sample.csv"))
    assert code == 1 and "there is no course 'nope'" in errors
    code, _, errors = run(data, "bank", "import", "c1", str(SAMPLES / "sample.xlsx"), "--format", "pdf")
    assert code == 2
