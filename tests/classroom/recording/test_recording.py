"""A recording fed by forwarded tracks (UpTracks driven with real encoded packets): segments on
one time line, the manifest, the timeline, and clean stops when storage runs out."""

from __future__ import annotations

import json

import av
import pytest

from classroom.recording.recording import MANIFEST, Recording, StopReason, StoragePolicy, TrackLabel
from classroom.relay.forwarding import CodecSpec, UpTrack
from tests.support.clock import ManualClock
from tests.support.rtp_media import rtp_packets
from tests.support.tmpfs import small_tmpfs

VP8 = CodecSpec("video/VP8", 90000)
OPUS = CodecSpec("audio/opus", 48000, 2)


class Publisher:
    """An UpTrack and the packets of its 30 fps video or 20 ms audio, played on the test clock."""

    def __init__(self, clock: ManualClock, codec: CodecSpec, frames: int, **kw):
        self.clock = clock
        self.keyframe_requests = 0
        self.up = UpTrack(codec.mime_type, codec, self._pli, clock.schedule, clock=clock)
        self.frames = list(rtp_packets(codec.mime_type, frames, **kw))
        self.step = 1 / 30 if codec.kind == "video" else 0.02
        self.sent = 0
        self.t0 = clock.now

    def _pli(self) -> None:
        self.keyframe_requests += 1

    def send(self, n: int) -> None:
        for packets in self.frames[self.sent : self.sent + n]:
            for p in packets:
                self.up.on_packet(p.seq, p.ts, p.marker, p.payload, self.clock.now)
        self.sent += n


def label(source: str) -> TrackLabel:
    return TrackLabel("p1", "Nguyễn Văn A", "lecturer", source, source)


def play(clock: ManualClock, seconds: float, *publishers: Publisher) -> None:
    """Advance the clock in 20 ms steps, each publisher sending what falls due."""
    for _ in range(round(seconds / 0.02)):
        clock.advance(0.02)
        for pub in publishers:
            due = int((clock.now - pub.t0) / pub.step + 1e-6) - pub.sent
            if due > 0:
                pub.send(due)


def packets_in(path) -> tuple[str, int, float]:
    with av.open(str(path)) as container:
        stream = container.streams[0]
        pts = [p.pts for p in container.demux(stream) if p.pts is not None]
        return stream.codec_context.name, len(pts), float((max(pts) - min(pts)) * stream.time_base)


def test_tracks_on_one_time_line_with_the_timeline_and_manifest(tmp_path):
    clock = ManualClock(100.0)
    stops: list[StopReason] = []
    recording = Recording(
        "r1", StoragePolicy(tmp_path, min_free_bytes=0), {"class_id": "c1", "title": "Lớp A"}, stops.append,
        clock=clock, wall_clock=clock.wall,
    )
    recording.start()
    camera = Publisher(clock, VP8, 200, keyframe_every=60)
    mic = Publisher(clock, OPUS, 400)
    play(clock, 1.0, mic, camera)  # both send; recording them starts a second later
    recording.record(("p1", "mic"), mic.up, label("microphone"))
    recording.record(("p1", "cam"), camera.up, label("camera"))
    assert camera.keyframe_requests == 1  # the recorder asks for a key frame to start at
    play(clock, 4.0, mic, camera)
    recording.note("floor", holders=["Trần Thị B"])
    play(clock, 1.0, mic, camera)
    recording.release(("p1", "cam"))
    play(clock, 1.0, mic)
    recording.stop(StopReason.STOPPED)
    assert stops == [StopReason.STOPPED]

    manifest = json.loads((tmp_path / "c1" / "r1" / MANIFEST).read_text())
    assert manifest["status"] == "complete" and manifest["title"] == "Lớp A"
    assert manifest["duration"] == pytest.approx(7.0, abs=0.03)
    segments = {s["label"]["source"]: s for s in manifest["segments"]}
    # The camera's frames 30.. were sent after the start: its first key frame is frame 60 (2 s).
    assert segments["camera"]["start"] == pytest.approx(2.0, abs=0.06)
    assert segments["camera"]["end"] == pytest.approx(6.0, abs=0.08)
    assert segments["microphone"]["start"] == pytest.approx(1.0, abs=0.03)
    assert segments["microphone"]["end"] == pytest.approx(7.0 - 0.02, abs=0.03)
    kinds = [(e["kind"], e["data"].get("state")) for e in manifest["timeline"]]
    assert kinds[0] == ("recording", "started") and kinds[-1] == ("recording", "stopped")
    assert ("floor", None) in kinds and ("track", "ended") in kinds
    for source, (codec, count, seconds) in {
        "camera": ("vp8", 120, 4.0 - 1 / 30), "microphone": ("opus", 300, 6.0 - 0.02)
    }.items():
        name, packets, duration = packets_in(tmp_path / "c1" / "r1" / segments[source]["file"])
        assert (name, packets) == (codec, count)
        assert duration == pytest.approx(seconds, abs=0.05)


def test_a_track_ending_ends_its_segment_and_an_unseen_key_frame_leaves_no_file(tmp_path):
    clock = ManualClock()
    recording = Recording("r2", StoragePolicy(tmp_path, min_free_bytes=0), {}, lambda r: None, clock=clock)
    recording.start()
    camera = Publisher(clock, VP8, 100, keyframe_every=1000)
    camera.send(1)  # the only key frame goes by before recording
    recording.record(("p1", "cam"), camera.up, label("camera"))
    play(clock, 1.0, camera)
    camera.up.close()  # unpublished
    assert recording.recorded == set()
    recording.stop(StopReason.CLASS_ENDED)
    manifest = json.loads((tmp_path / "unfiled" / "r2" / MANIFEST).read_text())
    assert manifest["segments"] == []
    assert list((tmp_path / "unfiled" / "r2").iterdir()) == [tmp_path / "unfiled" / "r2" / MANIFEST]


def test_the_quota_stops_the_recording_cleanly(tmp_path):
    clock = ManualClock()
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "earlier.webm").write_bytes(b"x" * 50_000)
    stops: list[StopReason] = []
    recording = Recording("r3", StoragePolicy(tmp_path, quota_bytes=120_000, min_free_bytes=0), {}, stops.append, clock=clock)
    recording.start()
    camera = Publisher(clock, VP8, 60, noise=True)
    recording.record(("p1", "cam"), camera.up, label("camera"))
    play(clock, 2.0, camera)
    assert stops == [StopReason.QUOTA]
    assert 70_000 <= recording.bytes_written < 70_000 + 30_000  # stops at the frame that reaches it
    manifest = json.loads((tmp_path / "unfiled" / "r3" / MANIFEST).read_text())
    assert manifest["stop_reason"] == "quota"
    name, packets, _ = packets_in(tmp_path / "unfiled" / "r3" / manifest["segments"][0]["file"])
    assert name == "vp8" and packets == manifest["segments"][0]["frames"]


@pytest.mark.parametrize("min_free", [0, 200_000], ids=["disk-full", "free-space-floor"])
def test_a_full_disk_stops_the_recording_and_leaves_readable_files(tmp_path, min_free):
    clock = ManualClock()
    stops: list[StopReason] = []
    with small_tmpfs(tmp_path / "disk", "400k") as disk:
        recording = Recording("r4", StoragePolicy(disk, min_free_bytes=min_free), {}, stops.append, clock=clock)
        recording.start()
        camera = Publisher(clock, VP8, 90, noise=True)
        mic = Publisher(clock, OPUS, 150)
        recording.record(("p1", "cam"), camera.up, label("camera"))
        recording.record(("p1", "mic"), mic.up, label("microphone"))
        play(clock, 3.0, camera, mic)
        assert stops == [StopReason.DISK_FULL]
        assert camera.up.taps == () and mic.up.taps == ()
        for path in (disk / "unfiled" / "r4").glob("*.webm"):
            name, packets, seconds = packets_in(path)
            assert packets > 10 and seconds > 0.5
