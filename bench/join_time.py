"""Join time of an aiortc participant: WebSocket connect → first decoded video frame.

    python -m bench.join_time --runs 10

A real server on loopback, a lecturer publishing live-encoded video (so the relay's key-frame
request on join is honoured), and trainees joining one after another. Prints each run, the
median and the spread, and the phases (joined, subscribe offer answered, first frame).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from classroom.relay import aiortc_internals
from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.support.media import PatternTrack
from tests.support.server import serve

ADMIN = "join-time-admin-token-0123456789"


async def measure(url: str, class_id: str, lecturer_token: str, trainee_token: str, runs: int) -> list[dict[str, float]]:
    ws = url.replace("http", "ws", 1) + f"/ws/{class_id}"
    lecturer = ClassClient(await WebSocketChannel.connect(ws))
    await lecturer.join(lecturer_token, name="Lecturer")
    await lecturer.publish([(PatternTrack(640, 360), Source.CAMERA)])
    lecturer_id = lecturer.joined.participant.id
    results = []
    for i in range(runs):
        await asyncio.sleep(1.5)  # the last key frame is well in the past
        start = time.monotonic()
        trainee = ClassClient(await WebSocketChannel.connect(ws))
        await trainee.join(trainee_token, name=f"Trainee {i}")
        joined = time.monotonic()
        video = await trainee.wait_for_track(lecturer_id, Source.CAMERA)
        answered = time.monotonic()
        await asyncio.wait_for(video.track.recv(), 10)
        first = time.monotonic()
        results.append({"joined_s": joined - start, "answered_s": answered - start, "first_frame_s": first - start})
        await trainee.close()
    await lecturer.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    with tempfile.TemporaryDirectory() as tmp:
        import os

        served = serve(Path(tmp) / "data", env={**os.environ, "CLASSBRIDGE_ADMIN_TOKEN": ADMIN, "CLASSBRIDGE_LOG_LEVEL": "warning"})
        try:
            created = httpx.post(
                f"{served.url}/api/classes", json={"title": "Join time"}, headers={"Authorization": f"Bearer {ADMIN}"}
            ).json()
            tokens = {role: link.split("#t=")[1] for role, link in created["links"].items()}
            results = asyncio.run(measure(served.url, created["id"], tokens["lecturer"], tokens["trainee"], args.runs))
        finally:
            served.stop()
    for i, r in enumerate(results):
        print(f"run {i + 1:2d}: joined {r['joined_s'] * 1000:6.1f} ms, offer answered {r['answered_s'] * 1000:6.1f} ms, first frame {r['first_frame_s'] * 1000:6.1f} ms")
    firsts = [r["first_frame_s"] * 1000 for r in results]
    print(f"first decoded frame: median {statistics.median(firsts):.0f} ms, min {min(firsts):.0f} ms, max {max(firsts):.0f} ms over {len(firsts)} joins")
    print(json.dumps({"runs": results}))


if __name__ == "__main__":
    main()
