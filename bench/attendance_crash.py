"""Seconds of time online lost when the server is killed with SIGKILL mid-class (N runs).

Each run starts a real server, joins two trainees, kills it once their rows were refreshed a
few times, restarts it and reads what was recorded (tests/support/crash.py). Prints, per run,
the seconds lost per trainee and any seconds counted beyond the kill (must be 0). The kill
strikes at a random moment between two heartbeats (the server's default, 2 s apart).

    PYTHONPATH=$PWD .venv/bin/python bench/attendance_crash.py --runs 5
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classroom.relay import aiortc_internals  # noqa: E402
from tests.support.crash import sigkill_once  # noqa: E402


async def main(runs: int) -> None:
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    lost: list[float] = []
    for run in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix="classbridge-crash-") as directory:
            outcome = await sigkill_once(Path(directory))
        lost += outcome.lost_s
        print(
            f"run {run}: lost {', '.join(f'{s:.2f}' for s in outcome.lost_s)} s;"
            f" counted beyond the kill {max(outcome.added_s):.2f} s; closed as {set(outcome.reasons)}",
            flush=True,
        )
    print(f"seconds lost over {runs} runs ({len(lost)} trainees): max {max(lost):.2f}, "
          f"mean {statistics.mean(lost):.2f}, min {min(lost):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
