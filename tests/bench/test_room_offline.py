"""The offline/online benchmark still runs and reports what it claims (figures are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_benchmark_prints_a_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "offline.json"
    run = subprocess.run(
        [sys.executable, "bench/room_offline.py", "--runs", "1", "--outage", "0.2", "--devices", "mic",
         "--data-dir", str(tmp_path / "data"), "--json-out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=90, check=True,
    )  # fmt: skip
    result = json.loads(run.stdout.splitlines()[-1])
    assert result == json.loads(out.read_text())
    figures = result["devices"]["mic"]
    assert set(figures) == {"unplugged_to_offline", "back_to_online"}
    assert set(figures["back_to_online"]) == {"median_ms", "min_ms", "max_ms"}
    assert "unplugged -> offline" in run.stdout
