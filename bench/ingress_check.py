"""Does the relay keep reading its publishers when the machine is busy? (a quick check)

    python -m bench.ingress_check --subscribers 100 --busy 2

Runs one bench.load scenario (a 720p + Opus publisher, lite subscribers) while `--busy`
processes spin at normal priority, the way other work on a shared server competes for the
cores, and prints loss at the subscribers, packets forwarded and the kernel's UDP receive
drops (/proc/net/snmp `RcvbufErrors`, the whole machine, over the whole run). bench.load
and its `--busy` mode are the benchmark; this is the check used while changing the ingress.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import asdict

import threading
from pathlib import Path

import psutil

from bench.load import Scenario, run
from classroom.relay.kernel_drops import SocketDrops, parse_proc_udp, read_system_udp_errors, socket_inodes

SPIN = "import sys, time\ntime.sleep(float(sys.argv[1]))\nwhile True: pass"


def spinners(count: int, after: float) -> list[subprocess.Popen[bytes]]:
    """`count` processes that spin from `after` seconds on (the subscribers, niced, join first)."""
    return [subprocess.Popen([sys.executable, "-c", SPIN, str(after)]) for _ in range(count)]


class Watch(threading.Thread):
    """Every half second: the relay's own socket drops, and the publishers put back at nice 0.

    bench.load runs its publishers at nice 10 beside the server; busy spinners at nice 0 would
    starve them and the run would measure the publisher instead of the relay (a real
    publisher is on another machine).
    """

    def __init__(self, publisher_nice: int | None) -> None:
        super().__init__(daemon=True)
        self.publisher_nice = publisher_nice
        self.drops = SocketDrops()
        self.stop = threading.Event()

    def run(self) -> None:
        me = psutil.Process()
        while not self.stop.wait(0.5):
            try:
                children = me.children(recursive=True)
            except psutil.Error:
                continue
            for child in children:
                try:
                    cmdline = child.cmdline()
                    if "serve" in cmdline and "signaling.cli.main" in cmdline:
                        inodes = socket_inodes(Path(f"/proc/{child.pid}/fd"))
                        drops = parse_proc_udp(Path("/proc/net/udp").read_text())
                        self.drops.update(drops, inodes)
                    elif "publisher" in cmdline and self.publisher_nice is not None and child.nice() != self.publisher_nice:
                        child.nice(self.publisher_nice)
                except (psutil.Error, OSError):
                    continue


def keep_stderr(directory: Path) -> None:
    """bench.load discards its children's stderr; keep it here, to see why one failed."""
    import bench.load

    class Process(bench.load.Process):
        def __init__(self, args: list[str]):
            self.lines = []
            with open(directory / f"{args[3]}-{len(list(directory.iterdir()))}.log", "w") as err:
                self.popen = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=err, text=True)
            self._thread = threading.Thread(target=self._read, daemon=True)
            self._thread.start()

    bench.load.Process = Process  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--busy", type=int, default=2, help="processes spinning during the run")
    parser.add_argument("--busy-after", type=float, default=20.0, help="seconds before they start (joins first)")
    parser.add_argument("--window", type=float, default=20.0)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--publisher-nice", type=int, default=0, help="renice the publishers (-1: leave them)")
    parser.add_argument("--label", default="", help="a name for this run in the output")
    parser.add_argument("--logs", type=Path, help="keep the load processes' stderr in this directory")
    args = parser.parse_args()
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
        keep_stderr(args.logs)
    before = read_system_udp_errors()
    load0 = os.getloadavg()
    watch = Watch(None if args.publisher_nice < 0 else args.publisher_nice)
    watch.start()
    busy = spinners(args.busy, args.busy_after)
    started = time.monotonic()
    try:
        # A busy machine slows joins down: wait in line rather than be told server_busy.
        settings = {"CLASSBRIDGE_SIGNALING__MAX_JOIN_WAIT_S": "60"}
        scenario = Scenario(subscribers=args.subscribers, window=args.window, procs=args.procs, rate=10, settings=settings)
        result = run(scenario)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    watch.stop.set()
    after = read_system_udp_errors()
    drops = {k: after.get(k, 0) - before.get(k, 0) for k in after}
    out = {
        "label": args.label,
        "subscribers": args.subscribers,
        "busy": args.busy,
        "seconds": round(time.monotonic() - started, 1),
        "loadavg_before": load0,
        "loss_percent": result.loss_percent,
        "forwarded_pps": result.forwarded_pps,
        "cpu_us_per_packet": result.cpu_us_per_packet,
        "server_cpu_percent": result.server_cpu_percent,
        "latency_p50_ms": result.latency_p50_ms,
        "latency_p99_ms": result.latency_p99_ms,
        "kernel_udp_drops": drops,
        "relay_socket_drops": watch.drops.total,
    }
    print(json.dumps(out))
    if "--verbose" in sys.argv:
        print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
