"""Load harness: a lecturer publishing 720p + Opus to many light subscribers, through
classbridge and through Janus 1.1.2's VideoRoom in the same run.

    python -m bench.load --subscribers 10,50,100                    # classbridge, then Janus, at each size
    python -m bench.load --subscribers 10,50,100 --busy             # and again with the cores saturated
    python -m bench.load --subscribers "" --find-max 150:25:300     # the largest class each carries
    python -m bench.load --subscribers 100 --classes 2 --workers 1,2 --relays classbridge
    python -m bench.load --subscribers 50 --floor --relays classbridge   # a trainee on the floor too
    python -m bench.load --subscribers 10,50,100 --layers             # the camera in three layers (classbridge)
    python -m bench.janus_report run.json --write docs/benchmarks.md     # (after --json run.json)

Everything runs on this machine over loopback: the server (`classbridge serve`; Janus with a
config of its own, bench/janus.py; or the MediaRelay baseline of bench/baseline_server.py),
one publisher process per class and `--procs` subscriber processes (bench/load_peers.py,
bench/janus_peers.py), the subscribers at nice 10 (the publisher at the
server's). The harness measures the server's CPU
time (user and system, its whole process tree) during a steady window and divides it by the
packets the subscribers received in it: the same denominator for every relay. Nothing is
extrapolated: a class size is reported as carried only when it was driven (`--find-max` steps
up until a class loses 1 % or more). `--busy` runs everything again beside busy loops that
saturate the cores, for every relay alike.

Reported per run (bench/janus_report.py's tables; JSON with `--json FILE`): the load average
before it, received packets/s, server CPU µs per packet (user, system), subscriber-side loss
(and how much of it the subscribers' own sockets dropped) and frames/s, relay-added latency
p50/p99 in the window (publisher send → kernel receive at the subscriber, sampled by payload
CRC; percentiles as bench/stats.py takes them), server memory per subscriber and join time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench import janus_report as report_table
from bench import media
from bench.janus import JanusServer, janus_version
from bench.stats import percentile
from tests.support.server import free_port

ADMIN = "load-harness-admin-token-0123456789"
FLOOR_NAME = "Floor trainee"
FLOOR_SIZE = (640, 360)
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class WorkerFigures:
    worker: str
    cpu_percent: float
    forwarded_pps: float
    cpu_us_per_packet: float | None


@dataclass
class RunResult:
    relay: str
    classes: int
    subscribers: int
    workers: int
    codec: str
    window_s: float
    forwarded_pps: float  # packets the subscribers received in the window, per second
    cpu_user_us_per_packet: float
    cpu_system_us_per_packet: float
    cpu_us_per_packet: float
    server_cpu_percent: float  # of one core, the server's whole process tree
    loss_percent: float
    frames_per_second: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    memory_per_subscriber_kb: float | None
    join_p50_s: float | None
    join_p99_s: float | None
    joined: int
    busy: int = 0  # busy-loop processes running beside it (0: a quiet run)
    load_before: tuple[float, float, float] | None = None  # os.getloadavg() just before the run
    subscriber_drops: int = 0  # datagrams the subscribers' own kernel sockets dropped (in the loss)
    server_processes: int = 1
    server_threads: int = 0  # the scheduler shares a contended core per thread: it matters when busy
    error: str | None = None
    per_worker: list[WorkerFigures] = field(default_factory=list)
    layers_received: dict[str, int] = field(default_factory=dict)  # --layers: videos received per layer at the window's end

class Process:
    """A child process whose stdout JSON lines are collected by a thread."""

    def __init__(self, args: list[str], stderr: Path | None = None):
        self.lines: list[dict[str, Any]] = []
        self.stderr = stderr
        with open(stderr or os.devnull, "w") as err:
            self.popen = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
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
                raise RuntimeError(
                    f"{' '.join(self.popen.args[2:6])} exited ({self.popen.returncode}) before {event!r}: {self.error_tail()}"
                )
            time.sleep(0.05)
        raise TimeoutError(f"no {event!r} within {timeout} s")

    def error_tail(self) -> str:
        """The last line of its stderr: what went wrong, for the run's error."""
        try:
            lines = (self.stderr.read_text(errors="replace") if self.stderr else "").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1] if lines else "(no stderr)"

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
        self.log = data_dir.parent / "server.log"
        with open(self.log, "w") as log:
            self.popen = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + 180  # a loaded machine starts it slowly
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
        """The whole process tree: "main", each media worker by its index (the metrics' worker
        label), any other child by its pid."""
        found = {"main": self.process}
        for child in self.process.children(recursive=True):
            try:
                cmdline = child.cmdline()
            except psutil.NoSuchProcess:
                continue
            label = f"child {child.pid}"
            if "signaling.workers.process" in cmdline and "--index" in cmdline:
                label = cmdline[cmdline.index("--index") + 1]
            found[label] = child
        return found

    def layers_received(self) -> dict[str, float]:
        """Layered videos received at each layer, summed over workers (classbridge only)."""
        if self.relay != "classbridge":
            return {}
        out: dict[str, float] = {}
        for line in httpx.get(f"{self.url}/metrics").text.splitlines():
            if line.startswith("classbridge_subscriber_layers{"):
                labels, value = line.rsplit(" ", 1)
                layer = labels.split('layer="')[1].split('"')[0]
                out[layer] = out.get(layer, 0.0) + float(value)
        return out

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

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        self.popen.terminate()
        try:
            self.popen.wait(15)
        except subprocess.TimeoutExpired:
            self.popen.kill()


class JanusRelay(JanusServer):
    """Janus behind the harness's Server interface: a VideoRoom is a class, its feed the token."""

    def __init__(self, folder: Path):
        super().__init__(folder, free_port())

    def forwarded(self) -> dict[str, float]:
        return {}

    def create_class(self, title: str) -> tuple[str, dict[str, str]]:
        return str(self.create_room(title)), {"lecturer": "unused", "trainee": ""}  # the feed, once published


AnyServer = Server | JanusRelay


def cpu_times(server: AnyServer) -> dict[str, tuple[float, float]]:
    times = {}
    for label, process in server.processes().items():
        try:
            t = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        times[label] = (t.user + t.children_user, t.system + t.children_system)
    return times


def rss(server: AnyServer) -> int:
    total = 0
    for process in server.processes().values():
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def threads(server: AnyServer) -> int:
    total = 0
    for process in server.processes().values():
        try:
            total += process.num_threads()
        except psutil.NoSuchProcess:
            pass
    return total


@contextlib.contextmanager
def busy_loops(count: int) -> Iterator[None]:
    """`count` processes spinning at the harness's own nice (the server's), for the run."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


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
    layers: bool = False  # classbridge: the lecturer's camera as three layers (½ and ¼ size below it)
    settings: dict[str, str] = field(default_factory=dict)  # CLASSBRIDGE_* for the server (e.g. its media ports)
    busy: int = 0  # busy-loop processes saturating the cores during the run


def run(s: Scenario, raw: Path | None = None) -> RunResult:
    load_before = os.getloadavg()
    with busy_loops(s.busy):
        result = _run(s, raw)
    result.busy = s.busy
    result.load_before = tuple(round(v, 2) for v in load_before)  # type: ignore[assignment]
    return result


def _run(s: Scenario, raw: Path | None) -> RunResult:
    video = str(media.video_file(s.codec, s.media_seconds, s.size))
    audio = str(media.audio_file(s.media_seconds))
    procs = max(s.classes, min(s.procs, s.subscribers))
    join_budget = s.subscribers / s.rate + 20
    base = [sys.executable, "-m", "bench.load_peers"] + (["--relay", "janus"] if s.relay == "janus" else [])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            server: AnyServer = (
                JanusRelay(Path(tmp)) if s.relay == "janus" else Server(s.relay, s.workers, Path(tmp) / "data", s.settings)
            )
        except RuntimeError as error:
            raise RunFailed(f"{s.relay}, {s.subscribers} subscribers: {error}") from error
        peers: list[Process] = []
        publishers: list[Process] = []
        try:
            rooms = [server.create_class(f"Load {i + 1}") for i in range(s.classes)]
            ws = server.url.replace("http", "ws") if s.relay != "janus" else server.url
            total = 3 * join_budget + s.warmup + s.window + 300  # at most: it leaves when told (SIGTERM)
            floor_video = str(media.video_file(s.codec, s.media_seconds, FLOOR_SIZE)) if s.floor else ""
            layer_args = []
            if s.layers and s.relay == "classbridge":
                w, h = s.size
                layer_args = ["--layer-videos"] + [str(media.video_file(s.codec, s.media_seconds, (w // d, h // d))) for d in (2, 4)]
            lecturers = []
            for class_id, tokens in rooms:
                floor_args = ["--floor-for", FLOOR_NAME] if s.floor else []
                publisher = Process(base + ["publisher", "--url", ws, "--class-id", class_id, "--token", tokens["lecturer"],
                                            "--duration", str(total), "--video", video, "--audio", audio] + floor_args + layer_args,
                                    Path(tmp) / f"publisher-{class_id}.err")  # fmt: skip
                publishers.append(publisher)
                lecturers.append(publisher)
                if s.floor:
                    publishers.append(Process(base + ["publisher", "--url", ws, "--class-id", class_id, "--token", tokens["trainee"],
                                                      "--duration", str(total), "--video", floor_video, "--audio", audio,
                                                      "--name", FLOOR_NAME]))  # fmt: skip
            for (_, tokens), lecturer in zip(rooms, lecturers, strict=True):
                published = lecturer.wait_event("publishing", 60)
                if s.relay == "janus":  # Janus's subscribers name the publisher's feed
                    tokens["trainee"] = str(published["participant"])
            for publisher in publishers:
                publisher.wait_event("publishing", 60)
            if s.floor:
                for lecturer in lecturers:
                    lecturer.wait_event("floor_given", 60)
            time.sleep(3)
            rss_before = rss(server)
            stay = join_budget + s.warmup + s.window + 120  # at most: each peer leaves when told (SIGTERM)
            for i in range(procs):
                class_id, tokens = rooms[i % s.classes]
                count = s.subscribers // procs + (1 if i < s.subscribers % procs else 0)
                peers.append(Process(base + ["subscribers", "--url", ws, "--class-id", class_id, "--token", tokens["trainee"],
                                             "--duration", str(stay), "--count", str(count),
                                             "--rate", str(s.rate / procs), "--tag", f"p{i}"],
                                     Path(tmp) / f"subscribers-{i}.err"))  # fmt: skip
            for p in peers:
                p.wait_event("joined", join_budget + 60)
            time.sleep(s.warmup)
            rss_after = rss(server)
            server_processes = len(server.processes())
            server_threads = threads(server)
            cpu0, fwd0, t0, w0 = cpu_times(server), server.forwarded(), time.monotonic(), time.time()
            time.sleep(s.window)
            cpu1, fwd1, t1, w1 = cpu_times(server), server.forwarded(), time.monotonic(), time.time()
            layers = server.layers_received() if s.layers else {}
            for p in peers + publishers:
                p.popen.terminate()  # the window is over: each prints its results and leaves
            results = [p.result(120) for p in peers]
            server_log = server.log_tail()
            sent: dict[int, list[float]] = {}
            for publisher in publishers:
                for crc, times in publisher.result(120)["sent"]:
                    sent.setdefault(crc, []).extend(times)
        except Exception as error:
            raise RunFailed(f"{s.relay}, {s.subscribers} subscribers: {error}\n{server.log_tail()}") from error
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
    # The same denominator for every relay: packets the subscribers received in the window.
    pps = sum(n for sub in subs for sec, n in sub["per_second"] if first <= sec <= last) / seconds
    forwarded = {label: (fwd1[label] - fwd0.get(label, 0)) / elapsed for label in fwd1}
    user = sum(cpu1[k][0] - cpu0[k][0] for k in cpu1 if k in cpu0)
    system = sum(cpu1[k][1] - cpu0[k][1] for k in cpu1 if k in cpu0)
    us = lambda cpu, rate: cpu / (rate * elapsed) * 1e6 if rate else float("inf")  # noqa: E731
    per_worker = []
    if s.workers > 1:
        for label in sorted(cpu1):
            if label not in cpu0 or label not in forwarded:
                continue
            cpu = sum(cpu1[label]) - sum(cpu0[label])
            cost = us(cpu, forwarded[label]) if forwarded[label] else None
            per_worker.append(WorkerFigures(label, round(100 * cpu / elapsed, 1), round(forwarded[label], 1),
                                            round(cost, 1) if cost else None))  # fmt: skip
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
        error=None if pps else f"no packet reached a subscriber in the window; server log: {server_log[-300:]!r}",
        relay=f"{s.relay} + floor" if s.floor else s.relay,
        classes=s.classes,
        subscribers=s.subscribers,
        workers=s.workers,
        codec=s.codec,
        window_s=round(elapsed, 1),
        forwarded_pps=round(pps, 1),
        cpu_user_us_per_packet=round(us(user, pps), 1),
        cpu_system_us_per_packet=round(us(system, pps), 1),
        cpu_us_per_packet=round(us(user + system, pps), 1),
        server_cpu_percent=round(100 * (user + system) / elapsed, 1),
        loss_percent=round(100 * lost / max(1, received + lost), 3),
        frames_per_second=round(statistics.mean(fps), 1) if fps else 0.0,
        latency_p50_ms=_round(percentile(latencies, 0.5) if latencies else None),
        latency_p99_ms=_round(percentile(latencies, 0.99) if latencies else None),
        memory_per_subscriber_kb=round((rss_after - rss_before) / 1024 / max(1, s.subscribers), 1),
        join_p50_s=_round(percentile(joins, 0.5) if joins else None, 3),
        join_p99_s=_round(percentile(joins, 0.99) if joins else None, 3),
        joined=len(joins),
        subscriber_drops=sum(sub.get("kernel_drops", 0) for sub in subs),
        server_processes=server_processes,
        server_threads=server_threads,
        per_worker=per_worker,
        layers_received={k: int(v) for k, v in layers.items() if v},
    )


class RunFailed(RuntimeError):
    """A run that could not be measured (a peer did not join in time, a server died...)."""


def failed(s: Scenario, error: str) -> RunResult:
    nothing = float("nan")
    return RunResult(relay=s.relay, classes=s.classes, subscribers=s.subscribers, workers=s.workers, codec=s.codec,
                     window_s=0.0, forwarded_pps=0.0, cpu_user_us_per_packet=nothing, cpu_system_us_per_packet=nothing,
                     cpu_us_per_packet=nothing, server_cpu_percent=nothing, loss_percent=100.0, frames_per_second=0.0,
                     latency_p50_ms=None, latency_p99_ms=None, memory_per_subscriber_kb=None, join_p50_s=None,
                     join_p99_s=None, joined=0, busy=s.busy, load_before=None, error=error.splitlines()[0][:300])  # fmt: skip


def latency_ms(sends: list[float] | None, arrival: float) -> float | None:
    """From the latest send of this payload before it arrived (payloads repeat as files loop)."""
    before = [t for t in sends or () if t <= arrival]
    return (arrival - max(before)) * 1000 if before else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def acceptable(result: RunResult) -> bool:
    """A class size this relay carried: everyone joined, under 1 % loss."""
    return result.error is None and result.joined == result.subscribers and result.loss_percent < MAX_LOSS_PERCENT


MAX_LOSS_PERCENT = 1.0


def machine() -> dict[str, Any]:
    """What a reader needs to judge the figures: the CPU, its cores, the commit, the load."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor() or "?")  # fmt: skip
    git = lambda *a: subprocess.run(["git", *a], capture_output=True, text=True, cwd=ROOT).stdout.strip()  # noqa: E731
    janus = ""
    try:
        janus = janus_version()
    except (RuntimeError, OSError, subprocess.SubprocessError):
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "janus": janus,
        "commit": git("rev-parse", "--short", "HEAD") + (" (with local changes)" if git("status", "--porcelain", "--untracked-files=no") else ""),
        "load_at_start": [round(v, 2) for v in os.getloadavg()],
    }


def step_up(scenario: Scenario, start: int, step: int, limit: int, report: Callable[[RunResult], None]) -> list[RunResult]:
    """Drive ever larger classes until one is not carried (loss ≥ 1 % or a failed join)."""
    runs = []
    n = start
    while n <= limit:
        result = measure(replace(scenario, subscribers=n))
        report(result)
        runs.append(result)
        if not acceptable(result):
            break
        n += step
    return runs


def measure(scenario: Scenario, raw: Path | None = None) -> RunResult:
    try:
        return run(scenario, raw)
    except RunFailed as error:
        return failed(scenario, str(error))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", default="10", help="comma-separated totals, one run each (may be empty with --find-max)")
    parser.add_argument("--relays", default="classbridge,janus", help="comma-separated: classbridge, janus")
    parser.add_argument("--busy", action="store_true", help="also run everything with the cores saturated by busy loops")
    parser.add_argument("--busy-only", action="store_true", help="only the busy runs")
    parser.add_argument("--busy-procs", type=int, default=os.cpu_count() or 2, help="busy-loop processes in a busy run")
    parser.add_argument("--find-max", metavar="START:STEP:LIMIT",
                        help="per relay and load, drive START, START+STEP... subscribers until a class loses ≥ 1 %%")  # fmt: skip
    parser.add_argument("--classes", type=int, default=1, help="classes, each with its own publisher")
    parser.add_argument("--procs", type=int, default=4, help="subscriber processes")
    parser.add_argument("--codec", choices=["vp8", "h264"], default="vp8")
    parser.add_argument("--window", type=float, default=20.0, help="steady-state seconds measured")
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--workers", default="1", help="comma-separated media worker counts (classbridge), one run each")
    parser.add_argument("--rate", type=float, default=20.0, help="subscriber joins per second")
    parser.add_argument(
        "--baseline",
        default="",
        help="also run aiortc's MediaRelay (re-encoding) with these subscriber counts, e.g. 1,2",
    )
    parser.add_argument("--media-seconds", type=int, default=20, help="length of the generated files")
    parser.add_argument("--size", default="1280x720", help="video size of the generated file")
    parser.add_argument("--floor", action="store_true", help="a trainee in each class holds the floor (360p + Opus to everyone)")
    parser.add_argument("--layers", action="store_true",
                        help="classbridge: the lecturer's camera as three layers (full, ½, ¼ size); Janus gets the full one")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the results here (bench/janus_report.py reads it)")
    parser.add_argument("--raw", type=Path, help="write each run's per-subscriber data here (a directory)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    relays = [r for r in args.relays.split(",") if r]
    loads = [args.busy_procs] if args.busy_only else [0, args.busy_procs] if args.busy else [0]
    document: dict[str, Any] = {
        "command": "python -m bench.load " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "results": [],
    }

    def scenario(relay: str, n: int, workers: int, busy: int) -> Scenario:
        return Scenario(relay=relay, subscribers=n, classes=args.classes if relay == "classbridge" else 1,
                        procs=args.procs, codec=args.codec, window=args.window, warmup=args.warmup,
                        workers=workers if relay == "classbridge" else 1, rate=args.rate, media_seconds=args.media_seconds, size=(width, height),
                        floor=args.floor and relay == "classbridge", layers=args.layers and relay == "classbridge",
                        busy=busy)  # fmt: skip

    results: list[RunResult] = []

    def report(result: RunResult) -> None:
        results.append(result)
        print(report_table.text_table([result]).splitlines()[-1], flush=True)
        if args.json:  # after each run: an interrupted series keeps what it measured
            document["results"] = [asdict(r) for r in results]
            args.json.write_text(json.dumps(document, indent=2))

    print(report_table.text_table([]), flush=True)
    for busy in loads:
        for n in (int(v) for v in args.subscribers.split(",") if v):
            for workers in (int(w) for w in args.workers.split(",")):
                for relay in relays:
                    if relay != "classbridge" and workers != int(args.workers.split(",")[0]):
                        continue
                    raw = None
                    if args.raw:
                        args.raw.mkdir(parents=True, exist_ok=True)
                        raw = args.raw / f"{relay}-{n}-{workers}w-busy{busy}.json"
                    report(measure(scenario(relay, n, workers, busy), raw))
        for n in (int(v) for v in args.baseline.split(",") if v):
            report(measure(scenario("mediarelay", n, 1, busy)))
    if args.find_max:
        start, step, limit = (int(v) for v in args.find_max.split(":"))
        for busy in loads:
            for relay in relays:
                step_up(scenario(relay, start, int(args.workers.split(",")[0]), busy), start, step, limit, report)
    document["results"] = [asdict(r) for r in results]
    print()
    print(report_table.markdown(document))
    print(json.dumps(document))
    if args.json:
        args.json.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
