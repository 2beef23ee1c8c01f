"""bench/quiz_submit.py runs end to end on a small class and prints its figures (the full
run, 200 trainees × 10 questions, is in docs/benchmarks.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]


def test_a_small_quiz_prints_its_figures(tmp_path: Path) -> None:
    figures = tmp_path / "quiz.json"
    run = subprocess.run(
        [sys.executable, "-m", "bench.quiz_submit", "--trainees", "8", "--questions", "3", "--json", str(figures)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "answer → quiz_saved p50 / p99 / max" in run.stdout
    result = json.loads(figures.read_text())
    assert json.loads(run.stdout.strip().splitlines()[-1]) == result
    assert result["answers"] == 24 and result["refused"] == 0 and result["counted_by_lecturer"] == 24
    assert 0 < result["handle_p50_us"] <= result["handle_p99_us"] <= result["handle_max_us"]
    assert 0 < result["e2e_p50_ms"] <= result["e2e_p99_ms"] <= result["e2e_max_ms"]
