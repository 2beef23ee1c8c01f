"""Round-trip time of one command through each driver, its link and its simulator.

Measures single set commands (MDC volume over a pseudo-terminal and over loopback TCP, PJLink
audio mute over TCP, Shure channel mute over TCP, each waiting for its confirmation), so the
figure is our own overhead: codec + link + asyncio + the simulator, with no device latency.
A pty does not pace bytes at the baud rate, so the serial figure excludes wire time; at 9600
8N1 the MDC volume set (6 bytes out, 8 back) would add 14.6 ms of wire time on a real line.

Run: .venv/bin/python -m bench.display_mic_roundtrip [--count 500]
Prints a table and a JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

from bench.stats import percentile
from devices.mdc.driver import MdcDisplay
from devices.sim.mdc.simulator import MdcSimulator
from devices.pjlink.driver import PJLinkProjector
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.pjlink.values import PowerState
from devices.shure.driver import ShureMicrophone
from devices.sim.shure.simulator import ShureSimulator
from devices.transport import SerialConnector, TcpConnector


async def measure(action: Callable[[int], Awaitable[None]], count: int) -> dict[str, float]:
    for i in range(20):  # warm up
        await action(i)
    samples = []
    for i in range(count):
        started = time.perf_counter()
        await action(i)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p99_ms": round(percentile(samples, 0.99), 3),
        "max_ms": round(samples[-1], 3),
    }


async def main(count: int) -> dict[str, dict[str, float]]:
    results: dict[str, dict[str, float]] = {}

    mdc = MdcSimulator(display_id=1)
    endpoints = await mdc.start()
    for label, connector in (
        ("mdc volume over pty", SerialConnector(endpoints["serial"], 9600)),
        ("mdc volume over tcp", TcpConnector("127.0.0.1", mdc.port)),
    ):
        display = MdcDisplay("wall", connector, 1, poll_interval=3600)
        await display.start()
        results[label] = await measure(lambda i, d=display: d.set_volume(i % 101), count)
        await display.stop()
    await mdc.stop()

    pjlink = PJLinkSimulator(warm_up=0)
    await pjlink.start()
    pjlink.state.power = PowerState.ON
    projector = PJLinkProjector("projector", "127.0.0.1", pjlink.port, poll_interval=3600)
    await projector.start()
    results["pjlink audio mute over tcp"] = await measure(
        lambda i: projector.set_mute(i % 2 == 0), count
    )
    await projector.stop()
    await pjlink.stop()

    shure = ShureSimulator(channels=8)
    await shure.start()
    mic = ShureMicrophone("mic", "127.0.0.1", shure.port, meter_rate_ms=0, poll_interval=3600)
    await mic.start()
    results["shure channel mute over tcp"] = await measure(
        lambda i: mic.set_mute(i % 2 == 0, 1), count
    )
    await mic.stop()
    await shure.stop()
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args()
    figures = asyncio.run(main(args.count))
    print(f"{'command':32} {'median ms':>10} {'p99 ms':>10} {'max ms':>10}   (n={args.count})")
    for name, f in figures.items():
        print(f"{name:32} {f['median_ms']:>10.3f} {f['p99_ms']:>10.3f} {f['max_ms']:>10.3f}")
    print(json.dumps({"count": args.count, "results": figures}))
