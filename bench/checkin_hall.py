"""A hall checks in: how long do phones wait when a whole room types the PIN at once?

    python -m bench.checkin_hall                      # 200 trainees, 20 phones at a time
    python -m bench.checkin_hall --trainees 300 --concurrency 50 --json hall.json

A real server (`classbridge serve`, 127.0.0.1, its own data directory) with a class on now in
room-101 and a course roster of `--trainees` people. The room screen's PIN is read with a room
key, as the LED wall does; then every trainee's phone (its own HTTP client, so its own device
cookie) does what the check-in page does: GET /checkin, POST /checkin/pin, GET
/checkin/roster?q=<their id>, POST /checkin/confirm, `--concurrency` phones at a time.

Printed (and `--json FILE`): per-step and whole-check-in latency (median, p99, max), the
wall-clock time for the hall, and check-ins per second; every check-in must succeed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.stats import percentile
from classroom.db import open_database
from tests.support.checkin import enrol
from tests.support.server import serve

ADMIN_TOKEN = "bench-checkin-admin-token-0123456789"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


async def phone(url: str, pin: str, external_id: str, steps: dict[str, list[float]]) -> None:
    # A connection per request, as phones on a hall's Wi-Fi mostly get: no keep-alive race.
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        started = time.perf_counter()

        async def step(name: str, request: httpx.Request) -> httpx.Response:
            at = time.perf_counter()
            response = await client.send(request)
            steps[name].append(time.perf_counter() - at)
            response.raise_for_status()
            return response

        await step("page", client.build_request("GET", "/checkin"))
        ticket = (await step("pin", client.build_request("POST", "/checkin/pin", json={"pin": pin}))).json()["ticket"]
        bearer = {"Authorization": f"Bearer {ticket}"}
        found = (await step("roster", client.build_request("GET", "/checkin/roster", params={"q": external_id}, headers=bearer))).json()
        assert found and found[0]["external_id"] == external_id, found
        await step("confirm", client.build_request("POST", "/checkin/confirm", json={"external_id": external_id}, headers=bearer))
        steps["whole"].append(time.perf_counter() - started)


async def hall(url: str, pin: str, trainees: int, concurrency: int) -> tuple[dict[str, list[float]], float]:
    steps: dict[str, list[float]] = {k: [] for k in ("page", "pin", "roster", "confirm", "whole")}
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            await phone(url, pin, f"HV-{i:04}", steps)

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(trainees)))
    return steps, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        served = serve(Path(tmp) / "data", env={"CLASSBRIDGE_ADMIN_TOKEN": ADMIN_TOKEN, "CLASSBRIDGE_LOG_LEVEL": "warning"})
        try:
            now = datetime.now(UTC)
            created = httpx.post(
                f"{served.url}/api/classes", headers=ADMIN, timeout=10,
                json={"title": "Hội trường", "room": "room-101", "starts_at": (now - timedelta(minutes=1)).isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat()},
            ).json()  # fmt: skip
            roster = tuple((f"HV-{i:04}", f"Học viên số {i}", "Sở Nội vụ") for i in range(args.trainees))
            enrol(open_database(f"sqlite:///{served.data_dir / 'classbridge.db'}"), created["id"], "hall", roster)
            key = httpx.post(f"{served.url}/api/rooms/room-101/keys", headers=ADMIN, timeout=10).json()["key"]
            code = httpx.get(f"{served.url}/api/rooms/room-101/checkin", headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
            steps, elapsed = asyncio.run(hall(served.url, code["pin"], args.trainees, args.concurrency))
            listed = httpx.get(f"{served.url}/api/classes/{created['id']}/checkins", headers=ADMIN, timeout=10).json()
            assert len(listed) == args.trainees, len(listed)
        except BaseException:
            print(served.log_tail())
            raise
        finally:
            served.stop()
    result = {
        "trainees": args.trainees,
        "concurrency": args.concurrency,
        "hall_s": round(elapsed, 2),
        "checkins_per_s": round(args.trainees / elapsed, 1),
        **{
            f"{name}_ms": {q: round(1000 * percentile(values, f), 1) for q, f in (("median", 0.5), ("p99", 0.99), ("max", 1.0))}
            for name, values in steps.items()
        },
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
