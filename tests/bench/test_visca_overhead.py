"""The benchmark still runs and reports what it claims (figures are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_benchmark_prints_a_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "overhead.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.visca_overhead", "--commands", "20", "--warmup", "2", "--json-out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    result = json.loads(run.stdout.splitlines()[-1])
    assert result == json.loads(out.read_text())
    assert result["commands"] == 20 and result["wire_ms_at_9600_8n1"] == 15.625
    assert set(result["overhead_ms"]) == {"median", "p90", "p99", "max", "mean"}
    assert "a pty does not pace bytes" in run.stdout
