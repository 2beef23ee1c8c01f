"""How long ONVIF calls take through onvif-zeep-async, against the simulator on 127.0.0.1.

Prints the first (cold: WSDLs parsed) and a warm ordered setup, and the median / p99 of the
calls a room controller makes most: GetStatus (position), ContinuousMove + Stop (one nudge of
the camera) and GotoPreset with the GetPresets lookup before it. Loopback only; run with
`.venv/bin/python -m bench.onvif_calls [rounds]`.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from bench.stats import percentile
from devices.onvif.driver import OnvifCamera
from devices.sim.onvif.simulator import OnvifSimulator


def quantiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p99 = percentile(ms, 0.99)
    return f"median {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   (n={len(ms)})"


async def timed(rounds: int, action: Callable[[], Awaitable[object]]) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await action()
        samples.append(time.perf_counter() - started)
    return samples


async def main(rounds: int) -> None:
    sim = OnvifSimulator(username="bench", password="bench")
    port = urlsplit((await sim.start())["http"]).port or 0

    def camera() -> OnvifCamera:
        return OnvifCamera("bench", "127.0.0.1", port, "bench", "bench", timeout=5.0, poll_interval=3600)

    try:
        for label in ("cold", "warm"):
            cam = camera()
            started = time.perf_counter()
            await cam.start()
            print(f"ordered setup ({label}):      {(time.perf_counter() - started) * 1000:7.1f} ms")
            await cam.stop()
        cam = camera()
        await cam.start()
        await cam.save_preset(1)

        async def nudge() -> None:
            await cam.move(0.1, 0.0)
            await cam.stop_move()

        print(f"GetStatus:                   {quantiles(await timed(rounds, cam.position))}")
        print(f"ContinuousMove + Stop:       {quantiles(await timed(rounds, nudge))}")
        print(f"GetPresets + GotoPreset:     {quantiles(await timed(rounds, lambda: cam.recall_preset(1)))}")
        await cam.stop()
    finally:
        await sim.stop()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
