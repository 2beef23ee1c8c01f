"""Load harness: one lecturer publishing 720p + Opus to N light subscribers through a real server.

    python -m bench.load --subscribers 10,50,100 --procs 4
    python -m bench.load --subscribers 1 --baseline      # aiortc MediaRelay, re-encoding

Everything runs on this machine over loopback: the server (`classbridge serve`, or the
MediaRelay baseline in bench/baseline_server.py), one publisher process and `--procs`
subscriber processes (bench/load_peers.py). Because the load generator shares the cores with
the server, the harness measures the server's own CPU time (user and system apart, summed
over its process tree) during a steady window and derives capacity from it.

Reported per run, as a table and as JSON (`--json FILE`): forwarded packets/s, server CPU
µs per forwarded packet, subscribers per core derived from that, subscriber-side loss and
frames/s, relay-added latency p50/p99 (publisher send → subscriber arrival, from sampled
payload CRCs), server memory per subscriber, and join time (connect → first video packet).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import media
from tests.support.server import free_port

ADMIN = "load-harness-admin-token-0123456789"
JANUS_US_PER_PACKET = (53, 64)  # ../shared/media-relay.md, same machine class and setup


@dataclass
class RunResult:
    relay: str
    subscribers: int
    workers: int
    codec: str
    window_s: float
    forwarded_pps: float
    cpu_user_us_per_packet: float
    cpu_system_us_per_packet: float
    cpu_us_per_packet: float
    server_cpu_percent: float
    subscribers_per_core: float
    loss_percent: float
    frames_per_second: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    memory_per_subscriber_kb: float | None
    join_p50_s: float | None
    join_p99_s: float | None
    joined: int


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Process:
    """A child process whose stdout JSON lines are collected by a thread."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None):
        self.lines: list[dict[str, Any]] = []
        self.popen = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            line = line.strip()
            if line.startswith("{"):
                try:
                    self.lines.append(json.loads(line))
                except json.JSONDecodeError:
                    pass

    def wait_event(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines:
                if line.get("event") == event:
                    return line
            if self.popen.poll() is not None and not any(l.get("event") == event for l in self.lines):
                raise RuntimeError(f"{self.popen.args[:4]} exited ({self.popen.returncode}) before {event!r}")
            time.sleep(0.05)
        raise TimeoutError(f"no {event!r} within {timeout} s")

    def result(self, timeout: float) -> dict[str, Any]:
        self.popen.wait(timeout)
        self._thread.join(5)
        return self.wait_event("result", 1)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()


class Server:
    def __init__(self, relay: str, workers: int, data_dir: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning"}
        if relay == "classbridge":
            args = [sys.executable, "-m", "signaling.cli", "serve", "--port", str(self.port), "--data-dir", str(data_dir)]
            if workers > 1:
                args += ["--workers", str(workers)]
        else:
            args = [sys.executable, "-m", "bench.baseline_server", "--port", str(self.port)]
        self.popen = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError("the server did not start")
        self.process = psutil.Process(self.popen.pid)

    def tree(self) -> list[psutil.Process]:
        return [self.process, *self.process.children(recursive=True)]

    def cpu(self) -> tuple[float, float]:
        user = system = 0.0
        for p in self.tree():
            try:
                t = p.cpu_times()
            except psutil.NoSuchProcess:
                continue
            user += t.user
            system += t.system
        return user, system

    def rss(self) -> int:
        total = 0
        for p in self.tree():
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def create_class(self) -> tuple[str, dict[str, str]]:
        response = httpx.post(
            f"{self.url}/api/classes", json={"title": "Load"}, headers={"Authorization": f"Bearer {ADMIN}"}
        )
        response.raise_for_status()
        body = response.json()
        return body["id"], {role: link.split("#t=")[1] for role, link in body["links"].items()}

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            self.popen.kill()


def run(
    relay: str,
    subscribers: int,
    procs: int,
    codec: str,
    window: float,
    warmup: float,
    workers: int,
    rate: float,
    raw: Path | None = None,
) -> RunResult:
    video, audio = str(media.video_file(codec)), str(media.audio_file())
    procs = max(1, min(procs, subscribers))
    join_budget = subscribers / rate + 20
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(relay, workers, Path(tmp) / "data")
        peers: list[Process] = []
        try:
            class_id, tokens = server.create_class() if relay == "classbridge" else ("load", {"lecturer": "l", "trainee": "t"})
            base = [sys.executable, "-m", "bench.load_peers"]
            common = ["--url", server.url.replace("http", "ws"), "--class-id", class_id]
            total = join_budget + warmup + window + 10
            publisher = Process(base + ["publisher", *common, "--token", tokens["lecturer"], "--duration", str(total), "--video", video, "--audio", audio])
            peers.append(publisher)
            publisher.wait_event("publishing", 60)
            time.sleep(3)
            rss_before = server.rss()
            split = [subscribers // procs + (1 if i < subscribers % procs else 0) for i in range(procs)]
            stay = warmup + window + 5
            for i, count in enumerate(split):
                peers.append(
                    Process(base + ["subscribers", *common, "--token", tokens["trainee"], "--duration", str(stay), "--count", str(count), "--rate", str(rate / procs), "--tag", f"p{i}"])
                )
            for p in peers[1:]:
                p.wait_event("joined", join_budget + 60)
            time.sleep(warmup)
            rss_after = server.rss()
            u0, s0 = server.cpu()
            t0 = time.monotonic()
            time.sleep(window)
            u1, s1 = server.cpu()
            t1 = time.monotonic()
            results = [p.result(stay + 60) for p in peers[1:]]
            sent = dict(publisher.result(total + 60)["sent"])
        finally:
            for p in peers:
                p.kill()
            server.stop()

    subs = [s for r in results for s in r["subscribers"]]
    if raw is not None:
        raw.write_text(json.dumps({"window": [t0, t1], "subscribers": subs}))
    first, last = int(t0) + 1, int(t1) - 1  # whole seconds inside the window
    seconds = max(1, last - first + 1)
    in_window = sum(n for s in subs for sec, n in s["per_second"] if first <= sec <= last)
    pps = in_window / seconds
    cpu_user, cpu_system = u1 - u0, s1 - s0
    elapsed = t1 - t0
    per_packet = lambda cpu: cpu / (pps * elapsed) * 1e6 if pps else float("inf")  # noqa: E731
    total_us = per_packet(cpu_user + cpu_system)
    per_sub_pps = pps / max(1, len(subs))
    received = sum(s["packets"] for s in subs)
    lost = sum(max(0, s["lost"]) for s in subs)
    latencies = [ms for s in subs for crc, arrival in s["samples"] if (ms := latency_ms(sent.get(crc), arrival)) is not None]
    joins = [s["join_s"] for s in subs if s["join_s"] is not None]
    return RunResult(
        relay=relay,
        subscribers=subscribers,
        workers=workers,
        codec=codec,
        window_s=round(elapsed, 1),
        forwarded_pps=round(pps, 1),
        cpu_user_us_per_packet=round(per_packet(cpu_user), 1),
        cpu_system_us_per_packet=round(per_packet(cpu_system), 1),
        cpu_us_per_packet=round(total_us, 1),
        server_cpu_percent=round(100 * (cpu_user + cpu_system) / elapsed, 1),
        subscribers_per_core=round(1e6 / (total_us * per_sub_pps), 1) if per_sub_pps and total_us != float("inf") else 0.0,
        loss_percent=round(100 * lost / max(1, received + lost), 3),
        frames_per_second=round(statistics.mean(
            sum(n for sec, n in s["frames_per_second"] if first <= sec <= last) / seconds for s in subs
        ), 1) if subs else 0.0,
        latency_p50_ms=_round(percentile(latencies, 0.5)),
        latency_p99_ms=_round(percentile(latencies, 0.99)),
        memory_per_subscriber_kb=round((rss_after - rss_before) / 1024 / max(1, subscribers), 1),
        join_p50_s=_round(percentile(joins, 0.5), 3),
        join_p99_s=_round(percentile(joins, 0.99), 3),
        joined=len(joins),
    )


def latency_ms(sends: list[float] | None, arrival: float) -> float | None:
    """From the latest send of this payload before it arrived (payloads repeat as files loop)."""
    before = [t for t in sends or () if t <= arrival]
    return (arrival - max(before)) * 1000 if before else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


COLUMNS = [
    ("relay", "relay"),
    ("subscribers", "subs"),
    ("workers", "workers"),
    ("forwarded_pps", "fwd pkt/s"),
    ("server_cpu_percent", "server CPU %"),
    ("cpu_user_us_per_packet", "user µs/pkt"),
    ("cpu_system_us_per_packet", "sys µs/pkt"),
    ("cpu_us_per_packet", "µs/pkt"),
    ("subscribers_per_core", "subs/core"),
    ("loss_percent", "loss %"),
    ("frames_per_second", "fps/sub"),
    ("latency_p50_ms", "lat p50 ms"),
    ("latency_p99_ms", "lat p99 ms"),
    ("memory_per_subscriber_kb", "KB/sub"),
    ("join_p50_s", "join p50 s"),
    ("join_p99_s", "join p99 s"),
]


def table(results: list[RunResult]) -> str:
    rows = [[h for _, h in COLUMNS]] + [[str(getattr(r, k)) for k, _ in COLUMNS] for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", default="10", help="comma-separated subscriber counts, one run each")
    parser.add_argument("--procs", type=int, default=4, help="subscriber processes")
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--window", type=float, default=20.0, help="steady-state seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=20.0, help="subscriber joins per second")
    parser.add_argument("--baseline", action="store_true", help="measure aiortc's MediaRelay instead")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--raw", type=Path, help="write each run's per-subscriber data here (a directory)")
    args = parser.parse_args()
    relay = "mediarelay" if args.baseline else "classbridge"
    results = []
    for n in (int(x) for x in args.subscribers.split(",")):
        raw = None
        if args.raw:
            args.raw.mkdir(parents=True, exist_ok=True)
            raw = args.raw / f"{relay}-{n}.json"
        result = run(relay, n, args.procs, args.codec, args.window, args.warmup, args.workers, args.rate, raw)
        results.append(result)
        print(table([result]).splitlines()[-1], flush=True)
    print()
    print(table(results))
    print(f"\nreference: Janus 1.1.2 spends {JANUS_US_PER_PACKET[0]}–{JANUS_US_PER_PACKET[1]} µs of server CPU per forwarded packet here")
    document = {"results": [asdict(r) for r in results]}
    print(json.dumps(document))
    if args.json:
        args.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
