"""A finished recording on disk, made the way the server makes one (a `Recording` fed with
real encoded packets through relay UpTracks), for the library's tests and the benchmark."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from classroom.recording.recording import Recording, StopReason, StoragePolicy, TrackLabel
from classroom.relay.forwarding import CodecSpec, UpTrack
from tests.support.clock import ManualClock
from tests.support.rtp_media import rtp_packets

VP8 = CodecSpec("video/VP8", 90000)
OPUS = CodecSpec("audio/opus", 48000, 2)


class _Feed:
    def __init__(self, clock: ManualClock, codec: CodecSpec, seconds: float, start: float, **kw: object):
        self.up = UpTrack(codec.mime_type, codec, lambda: None, clock.schedule, clock=clock)
        self.step = 1 / 30 if codec.kind == "video" else 0.02
        self.frames = list(rtp_packets(codec.mime_type, int(seconds / self.step), **kw))  # type: ignore[arg-type]
        self.start = start
        self.sent = 0

    def due(self, now: float) -> None:
        if now < self.start:
            return
        n = int((now - self.start) / self.step + 1e-6) + 1 - self.sent
        for packets in self.frames[self.sent : self.sent + n]:
            for p in packets:
                self.up.on_packet(p.seq, p.ts, p.marker, p.payload, now)
        self.sent += max(0, n)


def make_recording(
    storage: Path, class_id: str, course_id: str | None, title: str, seconds: float = 20.0, screen_from: float = 8.0,
    screen_background: int = 60,
) -> Recording:
    """Lecturer camera and microphone for `seconds`, a shared screen from `screen_from` on
    (a lighter grey with `screen_background`, to tell it from the camera)."""
    clock = ManualClock(0.0, wall_start=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
    info: dict[str, object] = {"class_id": class_id, "course_id": course_id, "title": title, "lecturer": "Nguyễn Văn An"}
    recording = Recording("r1", StoragePolicy(storage, min_free_bytes=0), info, lambda r: None, clock=clock, wall_clock=clock.wall)
    recording.start()
    camera = _Feed(clock, VP8, seconds, 0.0, keyframe_every=60)
    mic = _Feed(clock, OPUS, seconds, 0.0)
    screen = _Feed(clock, VP8, seconds - screen_from, screen_from, keyframe_every=60, width=640, height=360, background=screen_background)
    lecturer = ("p1", "Nguyễn Văn An", "lecturer")
    recording.record(("p1", "cam"), camera.up, TrackLabel(*lecturer, "camera", "cam"))
    recording.record(("p1", "mic"), mic.up, TrackLabel(*lecturer, "microphone", "mic"))
    shared = False
    while clock.now < seconds:
        clock.advance(0.02)
        if not shared and clock.now >= screen_from:
            recording.note("screen_share", state="started", participant="Nguyễn Văn An", participant_id="p1")
            recording.record(("p1", "screen"), screen.up, TrackLabel(*lecturer, "screen", "screen"))
            shared = True
        for feed in (camera, mic, screen):
            feed.due(clock.now)
    recording.stop(StopReason.STOPPED)
    return recording
