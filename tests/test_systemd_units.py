"""config/systemd's units load in systemd (systemd-analyze verify) and the server's is
hardened (systemd-analyze security's exposure score, offline: no running systemd needed)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[1] / "config" / "systemd"
INSTALLED = "/opt/classbridge/.venv/bin/classbridge"


def _analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is missing: scripts/install.sh --test installs systemd", pytrace=False)
    return found


def _copies(tmp_path: Path) -> list[Path]:
    """The units as written, with the program they start pointing at one that exists here."""
    copies = []
    for unit in sorted(UNITS.glob("*.service")):
        text = unit.read_text()
        assert INSTALLED in text, unit
        copy = tmp_path / unit.name
        copy.write_text(text.replace(INSTALLED, "/usr/bin/true"))
        copies.append(copy)
    return copies


def test_units_load_without_warnings(tmp_path: Path) -> None:
    units = _copies(tmp_path)
    assert [u.name for u in units] == ["classbridge-room-agent.service", "classbridge.service"]
    done = subprocess.run([_analyze(), "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.parametrize("unit, most", [("classbridge.service", 2.0), ("classbridge-room-agent.service", 3.0)])
def test_units_are_hardened(tmp_path: Path, unit: str, most: float) -> None:
    path = next(u for u in _copies(tmp_path) if u.name == unit)
    done = subprocess.run(
        [_analyze(), "security", "--offline=true", str(path)], capture_output=True, text=True, timeout=60
    )
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", done.stdout)
    assert score, done.stdout + done.stderr
    assert float(score.group(1)) <= most, done.stdout
