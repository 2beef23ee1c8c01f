"""What a trainee on a poor link gets, with and without per-trainee adaptation (run as root).

    python -m bench.simulcast --seconds 60 --limits 300 1000

For each limit (kbit/s, what the relay can send the trainee: a `tc` token bucket on its veth)
the lecturer, a real Chromium with a fake 720p camera, publishes twice:
- "layers": the class page as shipped (camera as high/medium/low layers; the relay picks one per
  trainee from its bandwidth estimate and tile size);
- "single": the same page told to send the camera as one high track (`classbridge.single_layer`),
  so the relay can only forward it or not: no adaptation.
The trainee (a Chromium in its own network namespace, tests/support/simulcast_lab.py) is
measured over `--seconds` after a warm-up, from its RTCInboundRtpStreamStats: frozen-video time
per minute (totalFreezesDuration; Chrome counts a freeze only against the recent frame rate, so
a picture at 1 frame/s barely "freezes": hence also the seconds in which not one new frame was
decoded, polled every second), freezes per minute, audio concealment per minute
(concealedSamples), received resolution and frame rate, received bit rate.
Everything stays on loopback and the lab's veths, removed afterwards.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.support.simulcast_lab import SimulcastLab, simulcast_lab, wait_for_video

OPUS_RATE = 48_000


@dataclass
class Figures:
    limit_kbit: int
    mode: str
    frozen_s_per_min: float
    freezes_per_min: float
    stalled_s_per_min: float
    concealed_s_per_min: float
    resolution: str
    fps: float
    kbps: float


def totals(lab: SimulcastLab) -> tuple[dict[str, Any], dict[str, int]]:
    who = lab.people["a"]
    video = who.best_video() or {}
    audio = who.inbound()["audio"]
    return video, {
        "received": sum(a["totalSamplesReceived"] for a in audio),
        "concealed": sum(a["concealedSamples"] for a in audio),
    }


def measure(lab: SimulcastLab, limit: int, mode: str, seconds: float, warmup: float, loss: int) -> Figures:
    """One class: the lecturer publishes (layers or single), trainee A on the limited link."""
    links = lab.create_class(f"Đo {mode} {limit} kbit/s")["links"]
    lab.limit("a", limit, loss)
    storage = {"classbridge.single_layer": "1"} if mode == "single" else None
    lab.open("lecturer", links["lecturer"], storage)
    lab.open("a", links["trainee"])
    wait_for_video(lab, "a", "the lecturer's video", lambda v: v["framesDecoded"] > 0, timeout=120)
    time.sleep(warmup)  # a benchmark measures a window of time; tests wait for events
    v0, a0 = totals(lab)
    start = time.monotonic()
    widths: list[str] = []
    stalled = polls = 0  # polls (about a second apart) in which not one new frame was decoded
    frames = v0.get("framesDecoded", 0)
    while time.monotonic() - start < seconds:
        time.sleep(1)
        video, _ = totals(lab)
        widths.append(f"{video.get('frameWidth', 0)}×{video.get('frameHeight', 0)}")
        polls += 1
        stalled += video.get("framesDecoded", 0) == frames
        frames = video.get("framesDecoded", 0)
    elapsed = time.monotonic() - start
    v1, a1 = totals(lab)
    per_min = 60 / elapsed
    for person in ("lecturer", "a"):
        page = lab.people[person].page
        if page is not None:
            page.context.close()
            lab.people[person].page = None
    return Figures(
        limit_kbit=limit,
        mode=mode,
        frozen_s_per_min=(v1.get("totalFreezesDuration", 0) - v0.get("totalFreezesDuration", 0)) * per_min,
        freezes_per_min=(v1.get("freezeCount", 0) - v0.get("freezeCount", 0)) * per_min,
        stalled_s_per_min=60 * stalled / max(polls, 1),  # share of the window, per minute
        concealed_s_per_min=(a1["concealed"] - a0["concealed"]) / OPUS_RATE * per_min,
        resolution=statistics.mode(widths) if widths else "–",
        fps=(v1.get("framesDecoded", 0) - v0.get("framesDecoded", 0)) / elapsed,
        kbps=(v1.get("bytesReceived", 0) - v0.get("bytesReceived", 0)) * 8 / 1000 / elapsed,
    )


def table(rows: list[Figures]) -> str:
    lines = [
        "| limit | publisher | frozen s/min | freezes/min | seconds without a new frame /min "
        "| audio concealed s/min | resolution (mode) | fps | video kbit/s |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r.limit_kbit} kbit/s | {r.mode} | {r.frozen_s_per_min:.1f} | {r.freezes_per_min:.1f} | "
            f"{r.stalled_s_per_min:.0f} | "
            f"{r.concealed_s_per_min:.2f} | {r.resolution} | {r.fps:.1f} | {r.kbps:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60.0, help="measured window per run")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds after the first frame before measuring")
    parser.add_argument("--limits", type=int, nargs="+", default=[300, 1000], help="kbit/s")
    parser.add_argument("--loss", type=int, default=0, help="random loss on the limited link, percent")
    parser.add_argument("--modes", nargs="+", default=["layers", "single"], choices=["layers", "single"])
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("run as root: the benchmark builds network namespaces")
    rows: list[Figures] = []
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as directory, sync_playwright() as playwright:
        with simulcast_lab(Path(directory)) as lab:
            lab.launch(playwright, "lecturer", devices=True)
            lab.launch(playwright, "a", devices=False)
            for limit in args.limits:
                for mode in args.modes:
                    figures = measure(lab, limit, mode, args.seconds, args.warmup, args.loss)
                    print(figures, flush=True)
                    rows.append(figures)
    load_after = os.getloadavg()
    print()
    print(table(rows))
    print()
    print(
        f"{os.cpu_count()} CPUs; load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"(1 min); loss {args.loss} %; window {args.seconds:g} s after {args.warmup:g} s warm-up"
    )


if __name__ == "__main__":
    main()
