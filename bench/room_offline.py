"""How fast the console learns that a device dropped, and that it came back.

Runs the real server (uvicorn, the room controller, the example room on simulators) and a
console client on the /ws/rooms WebSocket, all on loopback in one process. For each device
and run: stop its simulator (a device unplugged), time until the console receives the
device's view with link "offline"; keep it down for --outage seconds; start the simulator
again on the same port or pty path, time until the console receives "online". A second
figure, "silent", leaves the device connected but makes it stop answering (a hung device,
or a serial line whose far end died): supervision shows it offline after its poll rule.

What the figures are made of: a TCP device that hangs up is seen at once by its link; a
device that comes back is found by the link's reconnect backoff (0.5 s doubling to 10 s,
devices/transport/policy.py), so the "online" time depends on how long it was away; a
silent device is declared offline after 3 unanswered polls at its protocol's pace.

Run: .venv/bin/python bench/room_offline.py [--runs 5] [--outage 2] [--devices projector,display]
Prints a table and a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import uvicorn
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.rooms_file import load_rooms  # noqa: E402
from signaling.server.app import create_app  # noqa: E402
from signaling.server.rooms import EXAMPLE_ROOMS, RoomService  # noqa: E402
from signaling.server.state import server_of  # noqa: E402
from signaling.server.settings import Settings  # noqa: E402
from tests.support.rooms import NobodyLive  # noqa: E402
from tests.support.server import free_port  # noqa: E402

DEVICES = ("projector", "display", "mic", "camera")
SILENT = ("display", "projector")  # simulators with a no-answer knob over TCP


class Console:
    """A /ws/rooms client that timestamps every device link state it receives."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.token = token
        self.seen: dict[str, list[tuple[float, str]]] = {}  # device -> (perf_counter, link)
        self.changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._ws = await websockets.connect(self.url)
        await self._ws.send(json.dumps({"type": "hello", "v": 1, "token": self.token}))
        welcome = json.loads(await self._ws.recv())
        assert welcome["type"] == "welcome", welcome
        now = time.perf_counter()
        self.seen = {d["name"]: [(now, d["link"])] for d in welcome["rooms"][0]["devices"]}
        self._task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self._ws:
            message = json.loads(raw)
            if message["type"] == "device":
                device = message["device"]
                async with self.changed:
                    history = self.seen.setdefault(device["name"], [])
                    if not history or history[-1][1] != device["link"]:
                        history.append((time.perf_counter(), device["link"]))
                    self.changed.notify_all()

    async def until(self, device: str, links: set[str], since: float, timeout: float = 60) -> float:
        """When the console first saw `device` in one of `links` after `since`."""

        def found() -> float | None:
            return next((t for t, link in self.seen.get(device, []) if t >= since and link in links), None)

        async with asyncio.timeout(timeout), self.changed:
            await self.changed.wait_for(lambda: found() is not None)
        moment = found()
        assert moment is not None
        return moment

    def now(self, device: str) -> str:
        return self.seen[device][-1][1]

    async def close(self) -> None:
        await self._ws.close()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)


def summary(samples: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "min_ms": round(min(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
    }


async def measure(runs: int, outage: float, devices: list[str], data_dir: Path) -> dict[str, Any]:
    port = free_port()
    rooms = RoomService(
        load_rooms(EXAMPLE_ROOMS, environ={}, require_secrets=False), simulated=True, source="bench"
    )
    app = create_app(Settings.load(data_dir=data_dir, port=port, log_level="warning"), NobodyLive(), rooms)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    async with asyncio.timeout(30):
        while not (server.started and rooms.ready.is_set()):
            await asyncio.sleep(0.05)
    assert rooms.fleet is not None
    console = Console(f"ws://127.0.0.1:{port}/ws/rooms", server_of(app).services.admin_token.value)
    await console.start()
    results: dict[str, Any] = {}
    online, offline = {"online"}, {"offline"}
    try:
        for name in devices:
            simulator = rooms.fleet.simulator(f"room-101/{name}")
            await console.until(name, online, 0)
            down, up = [], []
            for _ in range(runs):
                dropped = time.perf_counter()
                await simulator.stop()
                down.append(await console.until(name, offline, dropped) - dropped)
                await asyncio.sleep(outage)
                back = time.perf_counter()
                await simulator.start()
                up.append(await console.until(name, online, back) - back)
                await asyncio.sleep(0.5)
            results[name] = {"unplugged_to_offline": summary(down), "back_to_online": summary(up)}
        phases = random.Random(1)  # hang at a different moment of the poll cycle each run
        for name in [d for d in devices if d in SILENT]:
            simulator = rooms.fleet.simulator(f"room-101/{name}")
            pace = rooms.fleet.controllers["room-101"].supervisors[name].pace
            first, down, up = [], [], []
            for _ in range(runs):
                await asyncio.sleep(phases.uniform(0.5, pace + 0.5))
                hung = time.perf_counter()
                simulator.faults.no_answer = True
                first.append(await console.until(name, {"degraded", "offline"}, hung) - hung)
                down.append(await console.until(name, offline, hung) - hung)
                cleared = time.perf_counter()
                simulator.faults.clear()
                up.append(await console.until(name, online, cleared) - cleared)
            results[name] |= {
                "silent_to_degraded": summary(first),
                "silent_to_offline": summary(down),
                "answering_to_online": summary(up),
            }
    finally:
        await console.close()
        server.should_exit = True
        await serving
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--outage", type=float, default=2.0, help="Seconds each device stays away.")
    parser.add_argument("--devices", default=",".join(DEVICES))
    parser.add_argument("--data-dir", type=Path, default=ROOT / "bench" / "out" / "room-offline")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    devices = [d for d in args.devices.split(",") if d]
    results = asyncio.run(measure(args.runs, args.outage, devices, args.data_dir))
    print(f"room devices on simulators, {args.runs} runs, {args.outage:g} s outages (median / min / max ms)")
    columns = [
        ("unplugged_to_offline", "unplugged -> offline"),
        ("back_to_online", "back -> online"),
        ("silent_to_degraded", "silent -> degraded"),
        ("silent_to_offline", "silent -> offline"),
        ("answering_to_online", "answers -> online"),
    ]
    print(f"{'device':<10}" + "".join(f"{title:>24}" for _, title in columns))
    for name, figures in results.items():
        cells = [figures.get(key) for key, _ in columns]
        text = [f"{c['median_ms']:.0f} / {c['min_ms']:.0f} / {c['max_ms']:.0f}" if c else "-" for c in cells]
        print(f"{name:<10}" + "".join(f"{cell:>24}" for cell in text))
    report = {"runs": args.runs, "outage_s": args.outage, "devices": results}
    if args.json_out:
        args.json_out.write_text(json.dumps(report))
    print(json.dumps(report))


if __name__ == "__main__":
    main()
