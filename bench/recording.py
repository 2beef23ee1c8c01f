"""What recording costs: server CPU per recorded 720p track, bytes per minute, playback start.

    python -m bench.recording [--window 20]

One real server (`classbridge serve`, one process) on loopback; a lecturer publishes the 720p30
VP8 (~1.5 Mbit/s) and Opus files of bench/media.py with no encoding (bench/load_peers.py's
LoopedFileTrack). The server's own CPU time (user + system) is measured over a steady window
in three phases, so each cost is a difference of the same server's CPU:

1. the lecturer publishing, nobody receiving (the ingress cost);
2. plus one subscriber (an aiortc client that receives, no decoding needed): forwarding cost;
3. plus recording the class: recording cost.

Only the 720p video track is published unless `--with-audio`, so the figure is one 720p track.
The machine is shared: run it on an idle one, and more than once (±20 % run to run).
Then: bytes per minute of the recorded files, and the playback page's start time in Chromium
(click Play → the main video's first frame), median of 5.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import psutil

from bench import media
from bench.load_peers import LoopedFileTrack
from classroom.relay import aiortc_internals
from classroom.roles import Role, Source
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from signaling.ws.client import ClassClient, WebSocketChannel
from signaling.ws.messages import Record
from tests.support.server import serve

ADMIN = "bench-recording-admin-token-0123456789"


def cpu_seconds(pid: int) -> float:
    p = psutil.Process(pid)
    times = p.cpu_times()
    return times.user + times.system


async def client(url: str, class_id: str, token: str, name: str) -> ClassClient:
    c = ClassClient(await WebSocketChannel.connect(url.replace("http", "ws", 1) + f"/ws/{class_id}"))
    await c.join(token, name=name)
    return c


def token_of(link: str) -> str:
    return link.split("#t=", 1)[1]


async def keep_alive(clients: list[ClassClient]) -> None:
    """The server drops connections silent for 45 s; the phases are longer."""
    while True:
        await asyncio.sleep(10)
        for c in clients:
            await c.ping()


async def measure(pid: int, window: float) -> float:
    """Server CPU as a fraction of one core over `window` seconds."""
    before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(window)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started)


async def run(window: float, with_audio: bool) -> dict[str, float]:
    video, audio = media.video_file("vp8"), media.audio_file()  # encoded once, before any timing
    aiortc_internals.use_host_addresses(["127.0.0.1"])  # our clients, like the server: loopback
    data = Path(tempfile.mkdtemp(prefix="bench-recording-")) / "data"
    served = serve(data, env={**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning"})
    clients: list[ClassClient] = []
    pinging = asyncio.create_task(keep_alive(clients))
    try:
        auth = {"Authorization": f"Bearer {ADMIN}"}
        created = httpx.post(f"{served.url}/api/classes", json={"title": "Bench"}, headers=auth).json()
        cid, links = created["id"], created["links"]
        lecturer = await client(served.url, cid, token_of(links["lecturer"]), "Lecturer")
        clients.append(lecturer)
        tracks = [(LoopedFileTrack(str(video), "video"), Source.CAMERA)]
        if with_audio:
            tracks.append((LoopedFileTrack(str(audio), "audio"), Source.MICROPHONE))
        await lecturer.publish(tracks)
        pid = served.process.pid
        await asyncio.sleep(3)  # settle: ICE, DTLS, the first key frames
        ingress = await measure(pid, window)
        trainee = await client(served.url, cid, token_of(links["trainee"]), "Trainee")
        clients.append(trainee)
        await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
        await asyncio.sleep(3)
        forwarding = await measure(pid, window)
        await lecturer.send(Record(type="record", on=True))
        await asyncio.sleep(3)
        recording = await measure(pid, window)
        await lecturer.send(Record(type="record", on=False))
        await asyncio.sleep(1)
        manifest = json.loads(next((data / "recordings" / cid).glob("*/recording.json")).read_text())
        folder = data / "recordings" / cid / manifest["id"]
        size = sum(p.stat().st_size for p in folder.glob("*.webm"))
        return {
            "ingress_core": ingress,
            "forward_one_subscriber_core": forwarding - ingress,
            "record_core": recording - forwarding,
            "recorded_seconds": manifest["duration"],
            "bytes_per_minute": size / manifest["duration"] * 60,
            "_data": str(data),  # type: ignore[dict-item]
            "_cid": cid,  # type: ignore[dict-item]
            "_url": served.url,  # type: ignore[dict-item]
        }
    finally:
        pinging.cancel()
        for c in clients:
            try:
                await c.close()
            except Exception:
                pass
        served.stop()


def playback_start(data: Path, class_id: str) -> list[float]:
    """Seconds from Play to the main video's first frame in Chromium, five times."""
    from playwright.sync_api import sync_playwright

    from classroom.courses.models import CourseRecord
    from classroom.db import open_database
    from tests.web.support import launch

    served = serve(data, env={**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning"})
    try:
        db = open_database(f"sqlite:///{data / 'classbridge.db'}")
        from datetime import UTC, datetime

        with db.begin() as session:
            session.merge(CourseRecord(id="BENCH", title="Bench", created_at=datetime.now(UTC)))
        manifest_path = next((data / "recordings" / class_id).glob("*/recording.json"))
        manifest = json.loads(manifest_path.read_text())
        manifest["course_id"] = "BENCH"
        manifest_path.write_text(json.dumps(manifest))
        token, _ = CourseTokens(Keyring.open(data), default_ttl=timedelta(days=1)).mint("BENCH", Role.LECTURER)
        times = []
        with sync_playwright() as p:
            browser = launch(p)
            for _ in range(5):
                context = browser.new_context()
                page = context.new_page()
                page.goto(f"{served.url}/library#t={token}&r={class_id}/{manifest['id']}")
                page.wait_for_selector("#player:not([hidden])")
                started = page.evaluate(
                    """() => new Promise((done) => {
                      const video = document.getElementById('main-video');
                      const t0 = performance.now();
                      video.addEventListener('playing', () => done((performance.now() - t0) / 1000), { once: true });
                      document.getElementById('play').click();
                    })"""
                )
                times.append(float(started))
                context.close()
            browser.close()
        return times
    finally:
        served.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=float, default=20.0, help="seconds of each measured phase")
    parser.add_argument("--with-audio", action="store_true", help="publish and record the Opus track too")
    args = parser.parse_args()
    figures = asyncio.run(run(args.window, args.with_audio))
    starts = playback_start(Path(str(figures["_data"])), str(figures["_cid"]))
    what = "720p VP8 track" + (" + Opus" if args.with_audio else "")
    print(f"server CPU, {what}, over {args.window:.0f} s windows (fraction of one core):")
    print(f"  receiving it (no subscriber):      {figures['ingress_core'] * 100:6.2f} %")
    print(f"  forwarding it to one subscriber:  +{figures['forward_one_subscriber_core'] * 100:6.2f} %")
    print(f"  recording it:                     +{figures['record_core'] * 100:6.2f} %")
    forward = figures["forward_one_subscriber_core"]
    if forward > 0:
        print(f"  recording / forwarding to one subscriber: {figures['record_core'] / forward:.2f}")
    print(f"bytes per minute recorded: {figures['bytes_per_minute'] / 1e6:.1f} MB ({figures['recorded_seconds']:.0f} s recorded)")
    print(f"playback start (Play → first frame), median of 5: {statistics.median(starts) * 1000:.0f} ms; all: "
          + ", ".join(f"{s * 1000:.0f}" for s in starts) + " ms")


if __name__ == "__main__":
    main()
