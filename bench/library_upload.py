"""What uploading an e-lecture costs: time to upload and check a large MP4 through the real
server, and the server's memory while it streams (it must not hold the file).

    python -m bench.library_upload [--seconds 20]

Makes an MP4 of noise (640x360, H.264 lossless, so it is large: ~13 MB per second of video),
starts `classbridge serve` on loopback, uploads it as a course lecturer would (the body streamed
from the file), and prints: the file's size, the upload's wall time and rate, the time the
server's check takes alone (in this process, median of 5), and the server's resident memory
before and at its highest during the upload (sampled every 20 ms).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import httpx
import numpy as np
import psutil

from classroom.courses.models import CourseRecord
from classroom.db import open_database
from classroom.recording.upload import check
from classroom.roles import Role
from signaling.auth.course_tokens import CourseTokens
from signaling.auth.keys import Keyring
from tests.web.support import ClassServer


def noise_mp4(path: Path, seconds: int) -> Path:
    rng = np.random.default_rng(1)
    pictures = [rng.integers(0, 256, (360, 640, 3), dtype=np.uint8) for _ in range(8)]
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=30, options={"preset": "ultrafast", "qp": "0"})
        video.width, video.height, video.pix_fmt = 640, 360, "yuv420p"
        for i in range(seconds * 30):
            frame = av.VideoFrame.from_ndarray(pictures[i % 8], format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 30)
            container.mux(video.encode(frame))
        container.mux(video.encode())
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="seconds of video (~13 MB each)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        video = noise_mp4(root / "lecture.mp4", args.seconds)
        size = video.stat().st_size
        checks = []
        for _ in range(5):
            started = time.perf_counter()
            check(video)
            checks.append(time.perf_counter() - started)
        server = ClassServer(root / "data").start()
        try:
            db = open_database(f"sqlite:///{server.data_dir / 'classbridge.db'}")
            with db.begin() as session:
                session.add(CourseRecord(id="K1", title="Khóa 1", created_at=datetime.now(UTC)))
            token, _ = CourseTokens(Keyring.open(server.data_dir), default_ttl=timedelta(hours=1)).mint("K1", Role.LECTURER, external_id="GV")
            assert server.process is not None
            process = psutil.Process(server.process.pid)
            before = process.memory_info().rss
            highest = before
            done = threading.Event()

            def sample() -> None:
                nonlocal highest
                while not done.is_set():
                    highest = max(highest, process.memory_info().rss)
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            started = time.perf_counter()
            with video.open("rb") as body:
                answer = httpx.post(
                    f"{server.url}/api/courses/K1/uploads", params={"title": "Bench"}, content=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "video/mp4"}, timeout=600,
                )
            took = time.perf_counter() - started
            done.set()
            sampler.join()
            answer.raise_for_status()
        finally:
            server.stop()
    print(f"file: {size / 1e6:.1f} MB, {args.seconds} s of 640x360 video")
    print(f"upload through the server (loopback): {took:.2f} s, {size / 1e6 / took:.0f} MB/s")
    print(f"the check alone (boxes + PyAV probe), median of 5: {statistics.median(checks) * 1000:.0f} ms")
    print(f"server memory: {before / 1e6:.0f} MB before, {highest / 1e6:.0f} MB at most during the upload")


if __name__ == "__main__":
    main()
