"""The combined-MP4 job: the layout it draws, a real render read back with PyAV (picture,
picture in picture, mixed sound), its low priority and CPU cap, and a queue that survives a
restart (the job's state is on disk)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import av
import numpy as np
import pytest

from classroom.recording import combined
from classroom.recording.combined import CombinedJobs, read_state, write_state
from classroom.recording.combined_render import HEIGHT, PIP_HEIGHT, PIP_MARGIN, PIP_WIDTH, WIDTH, Throttle, Track, fit, layout
from tests.support.recordings import make_recording
from tests.support.wait import until


def track(source: str, start: float, end: float, role: str = "lecturer", kind: str = "video") -> Track:
    return Track(f"{source}-{start}.webm", kind, source, role, start, end)


def test_the_layout_follows_the_playback_page():
    camera = track("camera", 0, 60)
    trainee = track("camera", 20, 30, role="trainee")
    screen = track("screen", 10, 40)
    mic = track("microphone", 0, 60, kind="audio")
    tracks = [camera, mic, screen, trainee]
    assert layout(tracks, 5) == (camera, None)
    assert layout(tracks, 15) == (screen, camera)
    assert layout(tracks, 25) == (screen, camera)  # the lecturer's camera before a trainee's
    assert layout([trainee, screen], 25) == (screen, trainee)
    assert layout(tracks, 45) == (camera, None)
    assert layout([mic], 5) == (None, None)


def test_pictures_fit_their_box_with_their_shape():
    assert fit(1920, 1080, 1280, 720) == (1280, 720)
    assert fit(640, 480, 1280, 720) == (960, 720)
    assert fit(320, 240, 320, 180) == (240, 180)
    assert fit(0, 0, 320, 180) == (320, 180)


@pytest.fixture
async def jobs(tmp_path: Path) -> AsyncIterator[CombinedJobs]:
    runner = CombinedJobs(tmp_path / "recordings")
    task = asyncio.create_task(runner.run())
    yield runner
    await stop(task)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def status(folder: Path) -> str | None:
    return str((read_state(folder) or {}).get("status"))


def proc_nice_and_cpus(pid: int) -> tuple[int, str]:
    stat = Path(f"/proc/{pid}/stat").read_text()
    nice = int(stat.rsplit(")", 1)[1].split()[16])  # field 19 of proc(5)
    cpus = next(line.split(":")[1].strip() for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("Cpus_allowed_list"))
    return nice, cpus


async def test_a_recording_rendered_into_one_mp4(tmp_path: Path, jobs: CombinedJobs):
    storage = tmp_path / "recordings"
    make_recording(storage, "c1", "K1", "Buổi 1", seconds=6, screen_from=3, screen_background=200)
    folder = storage / "c1" / "r1"
    assert jobs.request(folder)["status"] == "queued"
    await until(lambda: status(folder) == "running" and "pid" in (read_state(folder) or {}), timeout=60, what="the job to start")
    pid = int((read_state(folder) or {})["pid"])
    try:
        nice, cpus = proc_nice_and_cpus(pid)
    except (OSError, StopIteration):
        pytest.skip("the renderer finished before it could be looked at")  # pragma: no cover
    assert nice == 19 and cpus.isdigit(), (nice, cpus)  # nice 19 on a single CPU
    await until(lambda: status(folder) in ("done", "failed"), timeout=120, what="the job to finish")
    state = read_state(folder) or {}
    assert state["status"] == "done", state
    assert jobs.request(folder)["status"] == "done"  # asking again changes nothing
    # The CPU cap: at most half a core over the run (plus start-up, which is not throttled).
    assert state["cpu_seconds"] <= 0.5 * state["wall_seconds"] + 1.5, state

    with av.open(str(folder / combined.OUTPUT)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.name, video.codec_context.width, video.codec_context.height) == ("h264", WIDTH, HEIGHT)
        assert audio.codec_context.name == "aac" and audio.codec_context.sample_rate == 48000
        assert container.duration / 1e6 == pytest.approx(6.0, abs=0.25)
        pictures = {}
        for frame in container.decode(video):
            t = float(frame.pts * frame.time_base)
            for want in (1.5, 4.5):
                if abs(t - want) < 0.04:
                    pictures[want] = frame.to_ndarray(format="gray")
    # Camera alone (grey 60) at 1.5 s; the screen (grey 200) large with the camera small at 4.5 s.
    camera_only, shared = pictures[1.5], pictures[4.5]
    assert abs(float(np.median(camera_only)) - 60) < 20
    pip = shared[HEIGHT - PIP_MARGIN - PIP_HEIGHT + 20 : HEIGHT - PIP_MARGIN - 20, WIDTH - PIP_MARGIN - PIP_WIDTH + 60 : WIDTH - PIP_MARGIN - 20]
    large = shared[100:400, 100:600]
    assert abs(float(np.median(large)) - 200) < 25 and abs(float(np.median(pip)) - 60) < 25

    with av.open(str(folder / combined.OUTPUT)) as container:
        sound = np.concatenate([f.to_ndarray().ravel() for f in container.decode(container.streams.audio[0])])
    assert 0.1 < float(np.abs(sound).max()) <= 1.0  # the microphone's tone, mixed in


async def test_jobs_left_by_a_stopped_server_run_at_the_next_start(tmp_path: Path):
    storage = tmp_path / "recordings"
    for class_id in ("c1", "c2"):
        make_recording(storage, class_id, "K1", "Buổi", seconds=2, screen_from=1)
    # One was running when the server stopped (its renderer gone), one was waiting.
    write_state(storage / "c1" / "r1", status="running", pid=999999, requested_at="2026-12-02T08:00:00+00:00")
    write_state(storage / "c2" / "r1", status="queued", requested_at="2026-12-02T08:01:00+00:00")
    (storage / "c1" / "r1" / combined.PARTIAL).write_bytes(b"cut short")
    runner = CombinedJobs(storage)
    assert runner.pending() == [storage / "c1" / "r1", storage / "c2" / "r1"]
    task = asyncio.create_task(runner.run())
    try:
        for class_id in ("c1", "c2"):
            folder = storage / class_id / "r1"
            await until(lambda f=folder: status(f) in ("done", "failed"), timeout=120, what=f"the job of {class_id}")
            assert status(folder) == "done", read_state(folder)
            assert not (folder / combined.PARTIAL).exists()
            with av.open(str(folder / combined.OUTPUT)) as container:
                assert container.duration / 1e6 == pytest.approx(2.0, abs=0.25)
    finally:
        await stop(task)


async def test_a_job_that_cannot_render_fails_with_its_reason_and_may_be_asked_again(tmp_path: Path, jobs: CombinedJobs):
    storage = tmp_path / "recordings"
    make_recording(storage, "c1", "K1", "Buổi", seconds=2, screen_from=1)
    folder = storage / "c1" / "r1"
    manifest = json.loads((folder / "recording.json").read_text())
    for segment in manifest["segments"]:
        (folder / segment["file"]).write_bytes(b"not a media file")
    jobs.request(folder)
    await until(lambda: status(folder) in ("done", "failed"), timeout=60, what="the job to end")
    state = read_state(folder) or {}
    assert state["status"] == "failed" and state["error"], state
    assert not (folder / combined.OUTPUT).exists() and not (folder / combined.PARTIAL).exists()
    assert jobs.request(folder)["status"] == "queued"


def test_the_throttle_sleeps_off_cpu_time_beyond_its_share():
    now = {"cpu": 0.0, "wall": 0.0}
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(round(seconds, 6))
        now["wall"] += seconds

    throttle = Throttle(0.5, cpu=lambda: now["cpu"], wall=lambda: now["wall"], sleep=sleep)
    now["cpu"] += 0.4  # 0.4 s of work in 0.4 s: a full core
    now["wall"] += 0.4
    throttle.tick()
    assert slept == [0.4]  # 0.4 s of CPU may use 0.8 s of wall time at half a core
    now["cpu"] += 0.1  # then a light second: no sleep needed
    now["wall"] += 1.0
    throttle.tick()
    assert slept == [0.4]


def test_the_throttle_keeps_to_its_share_of_a_core():
    throttle = Throttle(0.25)
    cpu0, wall0 = time.process_time(), time.monotonic()
    while time.monotonic() - wall0 < 1.5:
        sum(range(20_000))  # busy
        throttle.tick()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    assert cpu <= 0.25 * wall + 0.1, (cpu, wall)


def test_a_renderer_whose_server_is_gone_stops():
    with pytest.raises(SystemExit):
        Throttle(1.0, parent=os.getppid() + 1_000_000).tick()
