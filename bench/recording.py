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

Then a second class records a lecture as a lecturer gives one: the 720p camera, slides shared
as a screen (a 720p VP8 file of slides that change every 5 s) and the Opus microphone, for
bytes per minute per kind of track. The combined-MP4 job renders that recording (its CPU
time per minute of recording, at its CPU cap). Last, the playback page in real headless
Chromium, five times: from opening the page to the main video playing (and from Play to it);
`--screenshots DIR` also saves the library and playback pages (Vietnamese) there.
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
SLIDES = [
    ("Kỹ năng lãnh đạo, quản lý", ["Bồi dưỡng cán bộ – Khóa 12", "Buổi 3: Ra quyết định trong tập thể"]),
    ("1. Vì sao phải ra quyết định tập thể?", ["Phát huy trí tuệ của tập thể", "Trách nhiệm rõ ràng của người đứng đầu", "Tránh quyết định cảm tính"]),
    ("2. Các bước ra quyết định", ["Xác định vấn đề", "Thu thập thông tin, lấy ý kiến", "Đánh giá phương án", "Quyết định và tổ chức thực hiện"]),
    ("3. Tình huống thảo luận", ["Xã A cần chọn vị trí xây trường mới", "Nhóm 1: phân tích phương án", "Nhóm 2: dự kiến rủi ro"]),
]


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


async def finished(data: Path, class_id: str) -> dict[str, object]:
    """The recording's final manifest (once the server has closed its files: a loaded machine takes a while)."""
    for _ in range(600):
        found = list((data / "recordings" / class_id).glob("*/recording.json"))
        if found and (manifest := json.loads(found[0].read_text()))["status"] == "complete":
            return manifest  # type: ignore[no-any-return]
        await asyncio.sleep(0.1)
    raise SystemExit(f"the recording of {class_id} did not finish")


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
        manifest = await finished(data, cid)
        folder = data / "recordings" / cid / manifest["id"]
        size = sum(p.stat().st_size for p in folder.glob("*.webm"))
        for c in clients:
            await c.close()
        clients.clear()
        lectured = await lecture(served.url, data, window)
        return {
            "_lecture": lectured,  # type: ignore[dict-item]
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


def slides_file(seconds: int = 20) -> Path:
    """A 720p VP8 file of slides (each 5 s), as a shared presentation; cached like bench/media.py's."""
    import fractions

    import av
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    path = media.OUT / f"slides-720p-{seconds}s-vp8.webm"
    if path.exists():
        return path
    media.OUT.mkdir(parents=True, exist_ok=True)
    font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    title_font, text_font = ImageFont.truetype(font.replace(".ttf", "-Bold.ttf"), 52), ImageFont.truetype(font, 36)
    pictures = []
    for title, lines in SLIDES:
        image = Image.new("RGB", media.HD, (250, 250, 247))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 0, media.HD[0], 120), fill=(28, 78, 140))
        draw.text((60, 30), title, font=title_font, fill=(255, 255, 255))
        for i, line in enumerate(lines):
            draw.text((90, 190 + i * 80), f"•  {line}", font=text_font, fill=(30, 30, 30))
        pictures.append(np.asarray(image))
    tmp = path.with_suffix(".part.webm")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libvpx", rate=media.FPS)
        stream.width, stream.height, stream.pix_fmt = *media.HD, "yuv420p"
        stream.bit_rate = media.VIDEO_BITRATE
        stream.gop_size = media.GOP
        stream.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0", "auto-alt-ref": "0"}
        for i in range(seconds * media.FPS):
            frame = av.VideoFrame.from_ndarray(pictures[i // (5 * media.FPS) % len(pictures)], format="rgb24")
            frame.pts = i
            frame.time_base = fractions.Fraction(1, media.FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.rename(path)
    return path


async def lecture(url: str, data: Path, seconds: float) -> dict[str, object]:
    """A lecture recorded for `seconds`: camera, slides shared as a screen, microphone."""
    video, audio, slides = media.video_file("vp8"), media.audio_file(), slides_file()
    auth = {"Authorization": f"Bearer {ADMIN}"}
    created = httpx.post(f"{url}/api/classes", json={"title": "Buổi 3: Ra quyết định trong tập thể"}, headers=auth).json()
    cid, links = created["id"], created["links"]
    lecturer = await client(url, cid, token_of(links["lecturer"]), "TS. Nguyễn Văn An")
    clients = [lecturer]
    pinging = asyncio.create_task(keep_alive(clients))
    try:
        await lecturer.publish([(LoopedFileTrack(str(video), "video"), Source.CAMERA), (LoopedFileTrack(str(audio), "audio"), Source.MICROPHONE)])
        await asyncio.sleep(2)
        await lecturer.send(Record(type="record", on=True))
        await asyncio.sleep(2)
        await lecturer.publish([(LoopedFileTrack(str(slides), "video"), Source.SCREEN)])
        await asyncio.sleep(seconds)
        await lecturer.send(Record(type="record", on=False))
        manifest = await finished(data, cid)
    finally:
        pinging.cancel()
        await lecturer.close()
    manifest_path = next((data / "recordings" / cid).glob("*/recording.json"))
    per_kind: dict[str, float] = {}
    for segment in manifest["segments"]:
        if segment.get("start") is None or not segment.get("end"):
            continue
        seconds_recorded = segment["end"] - segment["start"]
        per_kind[segment["label"]["source"]] = segment["bytes"] / seconds_recorded * 60
    return {"cid": cid, "folder": str(manifest_path.parent), "per_kind": per_kind, "duration": manifest["duration"]}


async def combined_job(folder: Path) -> dict[str, float]:
    """The combined-MP4 job on the lecture: CPU and wall time per minute recorded, at its cap."""
    from classroom.recording.combined import CombinedJobs, read_state

    storage = folder.parent.parent
    jobs = CombinedJobs(storage)
    running = asyncio.create_task(jobs.run())
    try:
        jobs.request(folder)
        while (read_state(folder) or {}).get("status") not in ("done", "failed"):
            await asyncio.sleep(0.5)
    finally:
        running.cancel()
    state = read_state(folder) or {}
    if state.get("status") != "done":
        raise SystemExit(f"the combined job failed: {state}")
    minutes = float(json.loads((folder / "recording.json").read_text())["duration"]) / 60
    return {
        "cpu_per_minute": float(state["cpu_seconds"]) / minutes,  # type: ignore[arg-type]
        "wall_per_minute": float(state["wall_seconds"]) / minutes,  # type: ignore[arg-type]
        "mb_per_minute": int(state["bytes"]) / 1e6 / minutes,  # type: ignore[call-overload]
        "cpu_share": jobs.cpu_share,
    }


def playback_start(data: Path, class_id: str, screenshots: Path | None = None) -> list[tuple[float, float]]:
    """(opening the page → the main video playing, Play → playing) in Chromium, five times."""
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
                # performance.now() counts from the navigation's start: the page opening.
                page.goto(f"{served.url}/library#t={token}&r={class_id}/{manifest['id']}", wait_until="commit")
                page.wait_for_selector("#player:not([hidden])")
                opened, played = page.evaluate(
                    """() => new Promise((done) => {
                      const video = document.getElementById('main-video');
                      const t0 = performance.now();
                      video.addEventListener('playing', () => done([performance.now() / 1000, (performance.now() - t0) / 1000]), { once: true });
                      document.getElementById('play').click();
                    })"""
                )
                times.append((float(opened), float(played)))
                context.close()
            if screenshots is not None:
                shots(browser, served.url, token, class_id, str(manifest["id"]), screenshots)
            browser.close()
        return times
    finally:
        served.stop()


def shots(browser: object, url: str, token: str, class_id: str, recording_id: str, out: Path) -> None:
    """The library and the playback page (slides large, the lecturer beside them), Vietnamese."""
    from tests.support.wait import wait_until

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{url}/library?lang=vi#t={token}")
    page.wait_for_selector(".recordings li")
    page.screenshot(path=str(out / "library-vi.png"))
    page.get_by_role("button", name="Xem").first.click()
    page.get_by_role("button", name="Phát").click()
    page.locator("#chapters button").nth(1).click()  # the slides' chapter
    wait_until(
        lambda: page.evaluate("() => !document.getElementById('side-video').closest('.side-view').hidden && document.getElementById('main-video').currentTime > 3"),
        timeout=30, what="the slides large and the lecturer beside them",
    )
    page.get_by_role("button", name="Tạm dừng").click()
    page.screenshot(path=str(out / "playback-vi.png"))
    context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--window", type=float, default=20.0, help="seconds of each measured phase")
    parser.add_argument("--with-audio", action="store_true", help="publish and record the Opus track too")
    parser.add_argument("--screenshots", type=Path, help="save the library and playback pages here (docs/screenshots)")
    args = parser.parse_args()
    load_before = os.getloadavg()
    figures = asyncio.run(run(args.window, args.with_audio))
    lectured = figures["_lecture"]
    assert isinstance(lectured, dict)
    combined = asyncio.run(combined_job(Path(str(lectured["folder"]))))
    starts = playback_start(Path(str(figures["_data"])), str(lectured["cid"]), args.screenshots)
    load_after = os.getloadavg()
    what = "720p VP8 track" + (" + Opus" if args.with_audio else "")
    print(f"server CPU, {what}, over {args.window:.0f} s windows (fraction of one core):")
    print(f"  receiving it (no subscriber):      {figures['ingress_core'] * 100:6.2f} %")
    print(f"  forwarding it to one subscriber:  +{figures['forward_one_subscriber_core'] * 100:6.2f} %")
    print(f"  recording it:                     +{figures['record_core'] * 100:6.2f} %")
    forward = figures["forward_one_subscriber_core"]
    if forward > 0:
        print(f"  recording / forwarding to one subscriber: {figures['record_core'] / forward:.2f}")
    print(f"bytes per minute recorded: {figures['bytes_per_minute'] / 1e6:.1f} MB ({figures['recorded_seconds']:.0f} s recorded)")
    per_kind = lectured["per_kind"]
    assert isinstance(per_kind, dict)
    print(f"a lecture recorded for {float(lectured['duration']):.0f} s (camera, slides, microphone), per minute of each track:")  # type: ignore[arg-type]
    for kind, size in sorted(per_kind.items()):
        print(f"  {kind:12s} {size / 1e6:6.2f} MB")
    print(f"combined MP4 job (cap {combined['cpu_share'] * 100:.0f} % of one core), per minute recorded: "
          f"{combined['cpu_per_minute']:.1f} s CPU, {combined['wall_per_minute']:.1f} s wall, {combined['mb_per_minute']:.1f} MB")
    opened = [o for o, _ in starts]
    played = [p for _, p in starts]
    print(f"playback start in Chromium, median of 5: opening the page → playing {statistics.median(opened) * 1000:.0f} ms "
          f"(all: {', '.join(f'{o * 1000:.0f}' for o in opened)}); Play → playing {statistics.median(played) * 1000:.0f} ms")
    print(f"machine: {os.cpu_count()} cores, load average (1, 5, 15 min) before {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}, after {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")


if __name__ == "__main__":
    main()
