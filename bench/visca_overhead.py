"""Overhead of one VISCA command over a pseudo-terminal, beyond the bytes' wire time.

A 9-byte command (Pan-tiltDrive stop, ``81 01 06 01 VV WW 03 03 FF``) is answered by a
3-byte ACK and a 3-byte completion. At 9600 baud 8N1 (10 bits per byte) those 15 bytes take
15.625 ms on a real line. A pty does not pace bytes, so the measured round trip contains no
wire time: overhead = round-trip time - wire time on the pty = the measured round trip. It is
what our stack (facade, catalog, DeviceLink, pyserial-asyncio-fast, decoder) plus the camera
side adds to the wire time; on a real line a command takes about wire time + overhead.

The simulated camera runs in a child process (as a real camera is another machine), so
the figures are not flattered by sharing one event loop.

    .venv/bin/python -m bench.visca_overhead [--commands 1000] [--json-out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import platform
import statistics
import time
from multiprocessing.connection import Connection
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.stats import percentile
from devices.transport.connectors import SerialConnector
from devices.transport.policy import LinkPolicy
from devices.visca.driver import RawFraming, ViscaCamera
from devices.sim.visca.simulator import ViscaSimulator

BAUD = 9600
BITS_PER_BYTE = 10  # 8N1: start bit, 8 data bits, stop bit
COMMAND, ACK, COMPLETION = 9, 3, 3


def wire_ms(byte_count: int, baud: int = BAUD) -> float:
    return byte_count * BITS_PER_BYTE / baud * 1000


def _camera_process(pipe: Connection) -> None:
    async def serve() -> None:
        sim = ViscaSimulator()
        endpoints = await sim.start()
        pipe.send(endpoints["serial"])
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)  # until told to stop
        await sim.stop()

    asyncio.run(serve())


async def measure(serial_path: str, commands: int, warmup: int) -> list[float]:
    camera = ViscaCamera(
        "bench", SerialConnector(serial_path, BAUD), RawFraming(1, serial_line=True),
        policy=LinkPolicy(timeout=2.0),
    )  # fmt: skip
    await camera.start()
    samples: list[float] = []
    try:
        for i in range(warmup + commands):
            started = time.perf_counter()
            await camera.stop_move()
            if i >= warmup:
                samples.append((time.perf_counter() - started) * 1000)
    finally:
        await camera.stop()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--json-out", type=Path, default=Path("bench/out/visca_overhead.json"))
    args = parser.parse_args()

    ours, theirs = multiprocessing.Pipe()
    child = multiprocessing.Process(target=_camera_process, args=(theirs,), daemon=True)
    child.start()
    try:
        serial_path = ours.recv()
        samples = asyncio.run(measure(serial_path, args.commands, args.warmup))
    finally:
        ours.send("stop")
        child.join(5)

    rtt = sorted(samples)
    wire = wire_ms(COMMAND + ACK + COMPLETION)
    overhead = {
        "median": statistics.median(rtt),
        "p90": percentile(rtt, 0.90),
        "p99": percentile(rtt, 0.99),
        "max": rtt[-1],
        "mean": statistics.fmean(rtt),
    }
    note = (
        "overhead = round-trip time - wire time; a pty does not pace bytes, so its wire time "
        "is 0 and the overhead is the measured round trip (until the completion arrived)"
    )
    result = {
        "benchmark": "visca_overhead",
        "transport": "pty (os.openpty), simulator in a child process",
        "commands": len(rtt),
        "baud": BAUD,
        "wire_ms_at_9600_8n1": round(wire, 3),
        "wire_ms_on_pty": 0.0,
        "overhead_ms": {name: round(value, 3) for name, value in overhead.items()},
        "expected_on_a_real_line_ms": {
            "median": round(wire + overhead["median"], 3),
            "p99": round(wire + overhead["p99"], 3),
        },
        "note": note,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }

    table = Table(title=f"VISCA over a pty, {len(rtt)} commands: 9 B + 3 B ACK + 3 B completion")
    table.add_column("figure")
    table.add_column("ms", justify="right")
    table.add_row("wire time at 9600 8N1 (computed: 150 bits)", f"{wire:.3f}")
    for name, value in overhead.items():
        table.add_row(f"overhead {name} (round trip on the pty)", f"{value:.3f}")
    table.add_row("expected median on a real 9600 line", f"{wire + overhead['median']:.3f}")
    console = Console()
    console.print(table)
    console.print(note)
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
