"""bench/join_storm.py runs end to end on a small storm and prints its figures (the full run,
500 joins, is in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def test_a_small_storm_prints_its_figures_as_a_table_and_as_json(tmp_path: Path) -> None:
    figures = tmp_path / "storm.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.join_storm", "--joins", "30", "--classes", "2", "--quiet", "1",
         "--json", str(figures)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "ping during storm p50 / p99 / max" in run.stdout and "storm duration" in run.stdout
    result = json.loads(figures.read_text())
    assert json.loads(run.stdout.strip().splitlines()[-1]) == result
    assert result["joins"] == 30 and result["joined"] == 30 and result["failed"] == 0
    assert result["storm_pings"] > 0 and result["unanswered_pings"] == 0
    assert 0 < result["quiet_p50_ms"] <= result["quiet_max_ms"]
    assert 0 < result["storm_p50_ms"] <= result["storm_p99_ms"] <= result["storm_max_ms"]
    assert result["storm_s"] > 0
