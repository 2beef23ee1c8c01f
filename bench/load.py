"""Load harness: lecturers publishing 720p + Opus to many light subscribers through a real server.

    python -m bench.load --subscribers 10,50,100 --baseline 1,2   # and aiortc's MediaRelay
    python -m bench.load --subscribers 100 --classes 2 --workers 1,2
    python -m bench.load --subscribers 50 --floor     # and a trainee on the floor (360p + Opus)

Everything runs on this machine over loopback: the server (`classbridge serve`, or the
MediaRelay baseline in bench/baseline_server.py), one publisher process per class and
`--procs` subscriber processes (bench/load_peers.py). Because the load generator shares the
cores with the server, the harness measures the server's own CPU time (user and system
apart, per process: the server and each media worker) during a steady window and derives
capacity from it; the load generator runs at nice 10 so that it does not delay the server.

Reported per run, as a table and as JSON (`--json FILE`): forwarded packets/s (the server's
own counter, /metrics), server CPU µs per forwarded packet, subscribers per core and the
derived capacity of all workers, subscriber-side loss and frames/s, relay-added latency
p50/p99 in the steady window (publisher send → kernel receive at the subscriber, sampled by
payload CRC; percentiles as bench/stats.py takes them, by linear interpolation), server
memory per subscriber and join time (connect → first video packet).
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import media
from bench.stats import percentile
from tests.support.server import free_port

ADMIN = "load-harness-admin-token-0123456789"
FLOOR_NAME = "Floor trainee"
FLOOR_SIZE = (640, 360)
JANUS_US_PER_PACKET = (53, 64)  # docs/relay.md, reference figures: same machine class and setup


@dataclass
class WorkerFigures:
    worker: str
    cpu_percent: float
    forwarded_pps: float
    cpu_us_per_packet: float | None
    subscribers_per_core: float | None


@dataclass
class RunResult:
    relay: str
    classes: int
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
    capacity_subscribers: float
    loss_percent: float
    frames_per_second: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    memory_per_subscriber_kb: float | None
    join_p50_s: float | None
    join_p99_s: float | None
    joined: int
    per_worker: list[WorkerFigures] = field(default_factory=list)


class Process:
    """A child process whose stdout JSON lines are collected by a thread."""

    def __init__(self, args: list[str]):
        self.lines: list[dict[str, Any]] = []
        self.popen = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            if line.startswith("{"):
                try:
                    self.lines.append(json.loads(line))
                except json.JSONDecodeError:
                    pass

    def _event(self, event: str) -> dict[str, Any] | None:
        return next((line for line in self.lines if line.get("event") == event), None)

    def wait_event(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (found := self._event(event)) is not None:
                return found
            if self.popen.poll() is not None:
                time.sleep(0.2)  # let the reader thread catch the last lines
                if (found := self._event(event)) is not None:
                    return found
                raise RuntimeError(f"{' '.join(self.popen.args[2:4])} exited ({self.popen.returncode}) before {event!r}")
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
    def __init__(self, relay: str, workers: int, data_dir: Path, settings: dict[str, str] | None = None):
        self.relay = relay
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning", **(settings or {})}
        if relay == "classbridge":
            args = [sys.executable, "-m", "signaling.cli.main", "serve", "--port", str(self.port)]
            args += ["--data-dir", str(data_dir), "--workers", str(workers)]
        else:
            args = [sys.executable, "-m", "bench.baseline_server", "--port", str(self.port)]
        self.popen = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
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

    def processes(self) -> dict[str, psutil.Process]:
        """"main" and each media worker by its index (the metrics' worker label)."""
        found = {"main": self.process}
        for child in self.process.children():
            cmdline = child.cmdline()
            if "signaling.workers.process" in cmdline:
                found[cmdline[cmdline.index("--index") + 1]] = child
        return found

    def cpu(self) -> dict[str, tuple[float, float]]:
        times = {}
        for label, process in self.processes().items():
            try:
                t = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            times[label] = (t.user, t.system)
        return times

    def rss(self) -> int:
        total = 0
        for process in self.processes().values():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def forwarded(self) -> dict[str, float]:
        """The server's forwarded-packet counter per worker label (classbridge only)."""
        if self.relay != "classbridge":
            return {}
        out = {}
        for line in httpx.get(f"{self.url}/metrics").text.splitlines():
            if line.startswith("classbridge_forwarded_packets_total{"):
                labels, value = line.rsplit(" ", 1)
                out[labels.split('"')[1]] = float(value)
        return out

    def create_class(self, title: str) -> tuple[str, dict[str, str]]:
        if self.relay != "classbridge":  # the baseline checks no tokens; a URL-safe id will do
            return title.lower().replace(" ", "-"), {"lecturer": "unused", "trainee": "unused"}
        response = httpx.post(
            f"{self.url}/api/classes", json={"title": title}, headers={"Authorization": f"Bearer {ADMIN}"}
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


@dataclass
class Scenario:
    relay: str = "classbridge"
    subscribers: int = 10
    classes: int = 1
    procs: int = 4
    codec: str = "vp8"
    window: float = 20.0
    warmup: float = 5.0
    workers: int = 1
    rate: float = 20.0
    media_seconds: int = 20
    size: tuple[int, int] = media.HD
    floor: bool = False  # a trainee in each class holds the floor: their 360p camera goes to everyone too
    settings: dict[str, str] = field(default_factory=dict)  # CLASSBRIDGE_* for the server (e.g. its media ports)


def run(s: Scenario, raw: Path | None = None) -> RunResult:
    video = str(media.video_file(s.codec, s.media_seconds, s.size))
    audio = str(media.audio_file(s.media_seconds))
    procs = max(s.classes, min(s.procs, s.subscribers))
    join_budget = s.subscribers / s.rate + 20
    base = [sys.executable, "-m", "bench.load_peers"]
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(s.relay, s.workers, Path(tmp) / "data", s.settings)
        peers: list[Process] = []
        publishers: list[Process] = []
        try:
            rooms = [server.create_class(f"Load {i + 1}") for i in range(s.classes)]
            ws = server.url.replace("http", "ws")
            total = join_budget + s.warmup + s.window + 15
            floor_video = str(media.video_file(s.codec, s.media_seconds, FLOOR_SIZE)) if s.floor else ""
            lecturers = []
            for class_id, tokens in rooms:
                floor_args = ["--floor-for", FLOOR_NAME] if s.floor else []
                publisher = Process(base + ["publisher", "--url", ws, "--class-id", class_id, "--token", tokens["lecturer"],
                                            "--duration", str(total), "--video", video, "--audio", audio] + floor_args)  # fmt: skip
                publishers.append(publisher)
                lecturers.append(publisher)
                if s.floor:
                    publishers.append(Process(base + ["publisher", "--url", ws, "--class-id", class_id, "--token", tokens["trainee"],
                                                      "--duration", str(total), "--video", floor_video, "--audio", audio,
                                                      "--name", FLOOR_NAME]))  # fmt: skip
            for publisher in publishers:
                publisher.wait_event("publishing", 60)
            if s.floor:
                for lecturer in lecturers:
                    lecturer.wait_event("floor_given", 60)
            time.sleep(3)
            rss_before = server.rss()
            stay = s.warmup + s.window + 5
            for i in range(procs):
                class_id, tokens = rooms[i % s.classes]
                count = s.subscribers // procs + (1 if i < s.subscribers % procs else 0)
                peers.append(Process(base + ["subscribers", "--url", ws, "--class-id", class_id, "--token", tokens["trainee"],
                                             "--duration", str(stay), "--count", str(count),
                                             "--rate", str(s.rate / procs), "--tag", f"p{i}"]))  # fmt: skip
            for p in peers:
                p.wait_event("joined", join_budget + 60)
            time.sleep(s.warmup)
            rss_after = server.rss()
            cpu0, fwd0, t0, w0 = server.cpu(), server.forwarded(), time.monotonic(), time.time()
            time.sleep(s.window)
            cpu1, fwd1, t1, w1 = server.cpu(), server.forwarded(), time.monotonic(), time.time()
            results = [p.result(stay + 60) for p in peers]
            sent: dict[int, list[float]] = {}
            for publisher in publishers:
                for crc, times in publisher.result(total + 60)["sent"]:
                    sent.setdefault(crc, []).extend(times)
        finally:
            for p in peers + publishers:
                p.kill()
            server.stop()

    subs = [sub for r in results for sub in r["subscribers"]]
    if raw is not None:
        raw.write_text(json.dumps({"window": [w0, w1], "subscribers": subs, "sent": list(sent.items())}))
    elapsed = t1 - t0
    first, last = int(t0) + 1, int(t1) - 1  # whole seconds inside the window
    seconds = max(1, last - first + 1)
    received_pps = sum(n for sub in subs for sec, n in sub["per_second"] if first <= sec <= last) / seconds
    forwarded = {label: (fwd1[label] - fwd0.get(label, 0)) / elapsed for label in fwd1}
    pps = sum(forwarded.values()) if forwarded else received_pps
    per_sub_pps = pps / max(1, len(subs))
    user = sum(cpu1[k][0] - cpu0[k][0] for k in cpu1 if k in cpu0)
    system = sum(cpu1[k][1] - cpu0[k][1] for k in cpu1 if k in cpu0)
    us = lambda cpu, rate: cpu / (rate * elapsed) * 1e6 if rate else float("inf")  # noqa: E731
    per_worker = []
    for label in sorted(cpu1):
        if label not in cpu0 or (s.workers > 1 and label == "main"):
            continue
        cpu = sum(cpu1[label]) - sum(cpu0[label])
        rate = forwarded.get(label, pps if s.workers == 1 else 0.0)
        cost = us(cpu, rate) if rate else None
        per_worker.append(
            WorkerFigures(
                worker=label,
                cpu_percent=round(100 * cpu / elapsed, 1),
                forwarded_pps=round(rate, 1),
                cpu_us_per_packet=round(cost, 1) if cost else None,
                subscribers_per_core=round(1e6 / (cost * per_sub_pps), 1) if cost and per_sub_pps else None,
            )
        )
    total_us = us(user + system, pps)
    received = sum(sub["packets"] for sub in subs)
    lost = sum(max(0, sub["lost"]) for sub in subs)
    latencies = [  # in the steady window (joins disturb it: see join time)
        ms
        for sub in subs
        for crc, at in sub["samples"]
        if w0 <= at <= w1 and (ms := latency_ms(sent.get(crc), at)) is not None
    ]
    joins = [sub["join_s"] for sub in subs if sub["join_s"] is not None]
    fps = [sum(n for sec, n in sub["frames_per_second"] if first <= sec <= last) / seconds for sub in subs]
    return RunResult(
        relay=f"{s.relay} + floor" if s.floor else s.relay,
        classes=s.classes,
        subscribers=s.subscribers,
        workers=s.workers,
        codec=s.codec,
        window_s=round(elapsed, 1),
        forwarded_pps=round(pps, 1),
        cpu_user_us_per_packet=round(us(user, pps), 1),
        cpu_system_us_per_packet=round(us(system, pps), 1),
        cpu_us_per_packet=round(total_us, 1),
        server_cpu_percent=round(100 * (user + system) / elapsed, 1),
        subscribers_per_core=round(1e6 / (total_us * per_sub_pps), 1) if per_sub_pps and pps else 0.0,
        capacity_subscribers=round(sum(w.subscribers_per_core or 0 for w in per_worker), 1),
        loss_percent=round(100 * lost / max(1, received + lost), 3),
        frames_per_second=round(statistics.mean(fps), 1) if fps else 0.0,
        latency_p50_ms=_round(percentile(latencies, 0.5) if latencies else None),
        latency_p99_ms=_round(percentile(latencies, 0.99) if latencies else None),
        memory_per_subscriber_kb=round((rss_after - rss_before) / 1024 / max(1, s.subscribers), 1),
        join_p50_s=_round(percentile(joins, 0.5) if joins else None, 3),
        join_p99_s=_round(percentile(joins, 0.99) if joins else None, 3),
        joined=len(joins),
        per_worker=per_worker,
    )


def latency_ms(sends: list[float] | None, arrival: float) -> float | None:
    """From the latest send of this payload before it arrived (payloads repeat as files loop)."""
    before = [t for t in sends or () if t <= arrival]
    return (arrival - max(before)) * 1000 if before else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


COLUMNS = [
    ("relay", "relay"),
    ("classes", "classes"),
    ("subscribers", "subs"),
    ("workers", "workers"),
    ("forwarded_pps", "fwd pkt/s"),
    ("server_cpu_percent", "server CPU %"),
    ("cpu_user_us_per_packet", "user µs/pkt"),
    ("cpu_system_us_per_packet", "sys µs/pkt"),
    ("cpu_us_per_packet", "µs/pkt"),
    ("subscribers_per_core", "subs/core"),
    ("capacity_subscribers", "capacity"),
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
    lines = [" | ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    for r in results:
        if len(r.per_worker) > 1:
            for w in r.per_worker:
                lines.append(
                    f"    {r.relay} {r.subscribers} subs, worker {w.worker}: {w.cpu_percent} % CPU, "
                    f"{w.forwarded_pps} pkt/s, {w.cpu_us_per_packet} µs/pkt, {w.subscribers_per_core} subs/core"
                )
    return "\n".join(lines)


def summary(results: list[RunResult]) -> list[str]:
    """The comparisons the figures are for: Janus, the MediaRelay baseline, workers."""
    ours = [r for r in results if r.relay == "classbridge"]
    base = [r for r in results if r.relay == "mediarelay"]
    lines = [f"reference: Janus 1.1.2 spends {JANUS_US_PER_PACKET[0]}–{JANUS_US_PER_PACKET[1]} µs of server CPU per forwarded packet here"]
    if ours:
        largest = max(ours, key=lambda r: (r.subscribers, r.workers))
        lines.append(
            f"largest run: {largest.subscribers} subscribers, {largest.workers} worker(s): "
            f"{largest.cpu_us_per_packet} µs/packet, {largest.subscribers_per_core} subscribers/core, "
            f"loss {largest.loss_percent} %, latency p99 {largest.latency_p99_ms} ms"
        )
    if ours and base:
        best_base = max(r.subscribers_per_core for r in base)
        best = max(r.subscribers_per_core for r in ours)
        lines.append(f"subscribers per core: {best} vs MediaRelay {best_base}: {best / best_base:.0f}x")
    by_workers = {r.workers: r for r in ours}
    if len(by_workers) > 1:
        low, high = min(by_workers), max(by_workers)
        a, b = by_workers[low].capacity_subscribers, by_workers[high].capacity_subscribers
        lines.append(f"capacity with {low} -> {high} workers: {a} -> {b} subscribers ({b / a:.2f}x)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", default="10", help="comma-separated totals, one run each")
    parser.add_argument("--classes", type=int, default=1, help="classes, each with its own publisher")
    parser.add_argument("--procs", type=int, default=4, help="subscriber processes")
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--window", type=float, default=20.0, help="steady-state seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", default="1", help="comma-separated media worker counts, one run each")
    parser.add_argument("--rate", type=float, default=20.0, help="subscriber joins per second")
    parser.add_argument(
        "--baseline",
        default="",
        help="also run aiortc's MediaRelay (re-encoding) with these subscriber counts, e.g. 1,2",
    )
    parser.add_argument("--media-seconds", type=int, default=20, help="length of the generated files")
    parser.add_argument("--size", default="1280x720", help="video size of the generated file")
    parser.add_argument("--floor", action="store_true", help="a trainee in each class holds the floor (360p + Opus to everyone)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--raw", type=Path, help="write each run's per-subscriber data here (a directory)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    runs = [
        ("classbridge", int(n), int(w)) for w in args.workers.split(",") for n in args.subscribers.split(",")
    ] + [("mediarelay", int(n), 1) for n in args.baseline.split(",") if n]
    results = []
    for relay, n, workers in runs:
        scenario = Scenario(
            relay=relay,
            subscribers=n,
            classes=args.classes if relay == "classbridge" else 1,
            procs=args.procs,
            codec=args.codec,
            window=args.window,
            warmup=args.warmup,
            workers=workers,
            rate=args.rate,
            media_seconds=args.media_seconds,
            size=(width, height),
            floor=args.floor and relay == "classbridge",
        )
        raw = None
        if args.raw:
            args.raw.mkdir(parents=True, exist_ok=True)
            raw = args.raw / f"{relay}-{n}-{workers}w.json"
        result = run(scenario, raw)
        results.append(result)
        print(table([result]).splitlines()[2], flush=True)
    print()
    print(table(results))
    for line in summary(results):
        print(line)
    document = {"results": [asdict(r) for r in results], "summary": summary(results)}
    print(json.dumps(document))
    if args.json:
        args.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
