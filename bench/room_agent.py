"""The room agent's figures: start → room video in a trainee's browser, and its CPU cost.

`start`: a real server, a real RTSP camera (GStreamer, 1280×720 30 fps H.264, a key frame
every second) and a trainee in Chromium already in the class; then, `--runs` times, a
`classbridge room-agent` process is started with a room join link and the clock runs until the
trainee's page presents a 1280×720 frame of it (requestVideoFrameCallback, page clock =
this machine's clock). The agent is stopped between runs and the page waits until the room's
tile is gone. Prints each run and the median.

`cpu`: a 1920×1080 30 fps camera; the agent in a class for `--seconds`, its process's CPU
time measured (psutil) once the stream is live: passthrough (constrained baseline camera) and
re-encoded (a High-profile camera, which the relay does not take as is: the agent decodes and
aiortc's libx264 encodes). The camera's own encoder runs in another process and is not counted.

Run: .venv/bin/python bench/room_agent.py start [--runs 5]
     .venv/bin/python bench/room_agent.py cpu [--seconds 20]
Loopback only; needs /usr/bin/chromium (start), Debian's GStreamer RTSP server (both).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime
from collections.abc import Callable
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.agent.support import AgentProcess
from tests.support.rtsp_camera import RtspCamera
from tests.support.server import free_port
from tests.support.wait import wait_until
from tests.web.support import ClassServer, join, launch, new_page

ARM = """
([w, h]) => {
  window.__roomFrame = null;
  const watch = (v) => v.requestVideoFrameCallback((_, meta) => {
    if (meta.width === w && meta.height === h) { window.__roomFrame ??= Date.now(); } else { watch(v); }
  });
  const armAll = () => document.querySelectorAll('video').forEach((v) => {
    if (v.__armedFor !== window.__run) { v.__armedFor = window.__run; watch(v); }
  });
  window.__run = (window.__run ?? 0) + 1;
  window.__observer?.disconnect();
  window.__observer = new MutationObserver(armAll);
  window.__observer.observe(document, { subtree: true, childList: true, attributes: true });
  armAll();
}
"""
SHOWING = """([w, h]) => [...document.querySelectorAll('video')].some((v) => v.videoWidth === w && v.videoHeight === h && v.isConnected && !v.closest('[hidden]'))"""


def agent_for(root: Path, server: ClassServer, link: str, camera: RtspCamera, run: int) -> AgentProcess:
    return AgentProcess(
        root / f"agent-{run}.log",
        root / f"agent-{run}-codecs.log",
        ["--server", server.url, "--room", "room-101", "--join-link", link, "--camera", camera.url, "--no-audio"],
    )


def logged_at(agent: AgentProcess, state: str) -> float:
    """When the agent logged that it entered `state` (its log's local clock)."""
    for line in agent.log.read_text(errors="replace").splitlines():
        if f"room agent: {state}" in line:
            return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
    return float("nan")


def live(agent: AgentProcess) -> Callable[[], bool]:
    return lambda: agent.status().get("state") == "in_class" and agent.video().get("state") == "live"


def start_time(runs: int, width: int, height: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        root = Path(tmp)
        server = ClassServer(root / "data").start()
        camera = RtspCamera(free_port(), root / "camera.log", ("--width", str(width), "--height", str(height))).start()
        browser = launch(p)
        try:
            created = server.create_class("Đo thời gian phòng học")
            context, page = new_page(browser)
            join(page, created["links"]["trainee"], "Học viên")
            times = []
            for run in range(1, runs + 1):
                page.evaluate(ARM, [width, height])
                agent = agent_for(root, server, created["links"]["room"], camera, run)
                started = time.time()
                agent.start()
                at = wait_until(lambda: page.evaluate("window.__roomFrame"), 60, "the room video", describe=agent.tail)
                times.append(at / 1000 - started)
                joining, joined = logged_at(agent, "joining"), logged_at(agent, "in_class")
                print(f"run {run}: agent start → room video ({width}×{height}) decoded in the trainee's page: {times[-1]:.2f} s "
                      f"(process start → joining {joining - started:.2f} s, → joined and published "
                      f"{joined - started:.2f} s)", flush=True)  # fmt: skip
                agent.stop()
                wait_until(lambda: not page.evaluate(SHOWING, [width, height]), 60, "the room tile to go")
            print(f"median of {runs}: {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})")
            print(json.dumps({"agent_start_to_video_s": [round(t, 3) for t in times], "median_s": round(statistics.median(times), 3)}))
            context.close()
        finally:
            browser.close()
            camera.stop()
            server.stop()


def cpu(seconds: float) -> None:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        server = ClassServer(root / "data").start()
        try:
            for profile, expected in (("constrained-baseline", "passthrough"), ("high", "re-encoded")):
                camera = RtspCamera(
                    free_port(), root / f"camera-{profile}.log",
                    ("--width", "1920", "--height", "1080", "--fps", "30", "--profile", profile, "--bitrate", "4000"),
                ).start()  # fmt: skip
                created = server.create_class(f"CPU {profile}")
                agent = agent_for(root, server, created["links"]["room"], camera, len(results))
                agent.start()
                try:
                    wait_until(live(agent), 60, "the agent live in the class", describe=agent.tail)
                    time.sleep(3)  # settle: the first key frame, the encoder's start
                    assert agent.process is not None
                    process = psutil.Process(agent.process.pid)
                    frames0 = agent.video()["frames"]
                    before, t0 = sum(process.cpu_times()[:2]), time.monotonic()
                    time.sleep(seconds)
                    used, span = sum(process.cpu_times()[:2]) - before, time.monotonic() - t0
                    video = agent.video()
                    frames = video["frames"] - frames0  # status lines come every 0.5 s: close enough
                    load = psutil.getloadavg()[0]
                    assert video["mode"] == expected, video
                    results[expected] = {
                        "cpu_percent_of_one_core": round(100 * used / span, 1),
                        "frames": frames, "cpu_ms_per_frame": round(1000 * used / max(frames, 1), 2),
                        "cpu_percent_at_30fps": round(100 * 30 * used / max(frames, 1), 1),
                        "fps": video["fps"], "bitrate_bps": video["bitrate_bps"],
                        "profile": video["profile"], "reason": video["reason"], "load_average_1min": load,
                    }  # fmt: skip
                    print(f"{expected:12s} 1920×1080: agent CPU {100 * used / span:5.1f} % of one core for "
                          f"{frames / span:.1f} fps in = {1000 * used / max(frames, 1):.2f} ms per frame, "
                          f"{100 * 30 * used / max(frames, 1):.1f} % of a core at 30 fps "
                          f"({video['profile']}; load average {load:.1f})", flush=True)  # fmt: skip
                finally:
                    agent.stop()
                    camera.stop()
        finally:
            server.stop()
    print(json.dumps(results, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    start = sub.add_parser("start")
    start.add_argument("--runs", type=int, default=5)
    start.add_argument("--size", default="1280x720", help="the camera's WIDTHxHEIGHT")
    sub.add_parser("cpu").add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    if args.what == "start":
        width, height = (int(v) for v in args.size.split("x"))
        start_time(args.runs, width, height)
    else:
        cpu(args.seconds)


if __name__ == "__main__":
    main()
