"""Start-up time of `classbridge serve` and REST latency over real HTTP on 127.0.0.1.

First start creates the database, signing keys and admin token; the second reuses them.
Then POST /api/classes (which signs four join links) and GET /api/classes/{id}.

    .venv/bin/python -m bench.serve_startup [N]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.stats import percentile
from tests.support.server import CLASSBRIDGE, free_port


def start(data_dir: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    """The server process, its URL, and seconds from exec to the first 200 on /healthz."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSBRIDGE_")}
    t0 = time.perf_counter()
    process = subprocess.Popen(
        [
            str(CLASSBRIDGE),
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return process, url, time.perf_counter() - t0
        except httpx.TransportError:
            time.sleep(0.01)
        if time.perf_counter() - t0 > 30:
            process.kill()
            raise SystemExit("server did not start within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=15)


def ms(samples: list[float]) -> str:
    return f"median {statistics.median(samples) * 1e3:6.2f} ms, p95 {percentile(samples, 0.95) * 1e3:6.2f} ms"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        process, _, first = start(data)
        stop(process)
        process, url, second = start(data)
        try:
            admin = {"Authorization": f"Bearer {(data / 'admin-token').read_text().strip()}"}
            created, fetched = [], []
            with httpx.Client(base_url=url, headers=admin) as client:
                for i in range(n):
                    t0 = time.perf_counter()
                    response = client.post("/api/classes", json={"title": f"Lớp {i}"})
                    created.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    client.get(f"/api/classes/{response.json()['id']}").raise_for_status()
                    fetched.append(time.perf_counter() - t0)
        finally:
            stop(process)
    print(f"serve start-up to /healthz, fresh data dir: {first:5.2f} s")
    print(f"serve start-up to /healthz, existing data:  {second:5.2f} s")
    print(f"POST /api/classes (4 join links), n={n}: {ms(created)}")
    print(f"GET /api/classes/{{id}},           n={n}: {ms(fetched)}")


if __name__ == "__main__":
    main()
