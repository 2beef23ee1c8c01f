"""The layer-forwarding benchmark still runs and reports its three cases (figures not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_benchmark_reports_each_case() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bench.layer_forwarding", "--packets", "200", "--repeat", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    result = json.loads(run.stdout.splitlines()[-1])
    assert set(result["us_per_packet"]) == {"no_vp8_rewriter", "vp8_never_switched", "vp8_after_a_switch"}
    assert all(v > 0 for v in result["us_per_packet"].values())
