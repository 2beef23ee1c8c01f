"""Renders one recording into a single MP4 for download: **the only place anything is re-encoded.**

Run in its own process by the combined-MP4 job (classroom/recording/combined.py), never in the
server or the recorder: `python -m classroom.recording.combined_render <recording folder>`.
It lowers its own priority first (nice 19, one CPU, one codec thread) and keeps its CPU time
under a share of one core (`Throttle`), so a class recording beside it does not notice.

The picture follows the playback page (web/static/library/library.js): the shared screen
large with the speaker's camera as a picture in the picture, or the camera alone when nothing
is shared; the sound is every audio track mixed. H.264 (libx264) and AAC in MP4, 1280×720 at
15 frames a second: lectures are slides and faces.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import av
import av.container
import numpy as np

from classroom.recording.combined import Throttled, run_job

WIDTH, HEIGHT, FPS = 1280, 720, 15
PIP_WIDTH, PIP_HEIGHT, PIP_MARGIN = 320, 180, 16
RATE = 48000
AUDIO_BLOCK = 1024  # an AAC frame
VIDEO_BITRATE_CRF = "28"


@dataclass(frozen=True)
class Track:
    """A segment of the manifest, as the renderer places it."""

    file: str
    kind: str  # "video" or "audio"
    source: str
    role: str
    start: float
    end: float


def tracks_of(manifest: dict[str, object]) -> list[Track]:
    duration = float(manifest.get("duration") or 0.0)  # type: ignore[arg-type]
    found = []
    segments = manifest.get("segments")
    for segment in segments if isinstance(segments, list) else []:
        if not isinstance(segment, dict):
            continue  # the manifest is read from disk: checked, not trusted
        label = segment.get("label")
        label = label if isinstance(label, dict) else {}
        start = segment.get("start")
        if not isinstance(start, (int, float)):
            continue  # never got a frame
        end = segment.get("end")
        found.append(
            Track(
                file=str(segment.get("file", "")),
                kind=str(segment.get("codec", "")).split("/")[0],
                source=str(label.get("source", "")),
                role=str(label.get("role", "")),
                start=float(start),
                end=float(end) if isinstance(end, (int, float)) else duration,
            )
        )
    return found


def layout(tracks: list[Track], t: float) -> tuple[Track | None, Track | None]:
    """(large, small) at `t`, as the playback page chooses: the screen large and the camera
    small, else the camera large; a lecturer's camera before a trainee's."""
    videos = [track for track in tracks if track.kind == "video" and track.start <= t < track.end]
    screen = next((v for v in videos if v.source == "screen"), None)
    camera = next((v for v in videos if v.source == "camera" and v.role != "trainee"), None) or next(
        (v for v in videos if v.source == "camera"), None
    )
    return (screen, camera) if screen is not None else (camera, None)


def fit(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest even size with the picture's shape inside the box."""
    if width <= 0 or height <= 0:
        return box_width, box_height
    scale = min(box_width / width, box_height / height)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


class Throttle:
    """Keeps this process's CPU time under `share` of one core (a duty cycle: it sleeps when it
    has run ahead), and ends it when its parent (the server) is gone."""

    WINDOW = 2.0

    def __init__(
        self,
        share: float,
        parent: int | None = None,
        cpu: Callable[[], float] = time.process_time,
        wall: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.share = share
        self.parent = parent
        self._cpu, self._wall, self._sleep = cpu, wall, sleep
        self._reset()

    def _reset(self) -> None:
        self._cpu0 = self._cpu()
        self._wall0 = self._wall()

    def tick(self) -> None:
        if self.parent is not None and os.getppid() != self.parent:
            raise SystemExit("the server is gone")
        cpu = self._cpu() - self._cpu0
        wall = self._wall() - self._wall0
        ahead = cpu / self.share - wall
        if ahead > 0:
            self._sleep(ahead)
        if wall + max(ahead, 0) >= self.WINDOW:
            self._reset()


class _Video:
    """One video track decoded in order; `at(t)` is the picture showing at `t`, scaled."""

    def __init__(self, folder: Path, track: Track):
        self.track = track
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.VideoFrame] | None = None
        self._first: int | None = None
        self._current: av.VideoFrame | None = None
        self._next: av.VideoFrame | None = None
        self._path = folder / track.file
        self._scaled: dict[tuple[int, int], np.ndarray] = {}

    def _open(self) -> None:
        container = av.open(str(self._path))
        assert isinstance(container, av.container.InputContainer)
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        self._container = container
        self._frames = iter(container.decode(stream))
        self._time_base = stream.time_base or Fraction(1, 1000)

    def _time(self, frame: av.VideoFrame) -> float:
        pts = frame.pts or 0
        if self._first is None:
            self._first = pts
        return self.track.start + float((pts - self._first) * self._time_base)

    def _pull(self) -> av.VideoFrame | None:
        assert self._frames is not None
        try:
            return next(self._frames)
        except (StopIteration, av.error.FFmpegError):
            return None

    def at(self, t: float) -> av.VideoFrame | None:
        if self._container is None:
            self._open()
            self._next = self._pull()
        while self._next is not None and self._time(self._next) <= t:
            self._current, self._next = self._next, self._pull()
            self._scaled.clear()
        return self._current

    def planes(self, t: float, box: tuple[int, int]) -> np.ndarray | None:
        """The picture at `t` fitted into `box`, as yuv420p rows (Y then U then V)."""
        frame = self.at(t)
        if frame is None:
            return None
        size = fit(frame.width, frame.height, *box)
        if size not in self._scaled:
            self._scaled[size] = frame.reformat(width=size[0], height=size[1], format="yuv420p").to_ndarray()
        return self._scaled[size]

    def close(self) -> None:
        if self._container is not None:
            self._container.close()


def _paste(canvas: np.ndarray, picture: np.ndarray, x: int, y: int) -> None:
    """Paste a yuv420p picture (h*3/2 rows of w) into the yuv420p canvas at (x, y), both even."""
    h, w = picture.shape[0] * 2 // 3, picture.shape[1]
    canvas[y : y + h, x : x + w] = picture[:h]
    chroma = picture[h:].reshape(2, h // 2, w // 2)
    cu = canvas[HEIGHT:].reshape(2, HEIGHT // 2, WIDTH // 2)
    cu[:, y // 2 : y // 2 + h // 2, x // 2 : x // 2 + w // 2] = chroma


def _blank() -> np.ndarray:
    canvas = np.empty((HEIGHT * 3 // 2, WIDTH), dtype=np.uint8)
    canvas[:HEIGHT] = 16
    canvas[HEIGHT:] = 128
    return canvas


class _Audio:
    """One audio track decoded in order and placed on the time line by its timestamps."""

    def __init__(self, folder: Path, track: Track):
        self.track = track
        self._path = folder / track.file
        self._container: av.container.InputContainer | None = None
        self._frames: Iterator[av.AudioFrame] | None = None
        self._resampler = av.AudioResampler(format="flt", layout="stereo", rate=RATE)
        self._chunks: deque[tuple[int, np.ndarray]] = deque()  # (first sample, samples×2)
        self._decoded_to = int(track.start * RATE)
        self._first: int | None = None
        self._done = False

    def _decode_more(self) -> None:
        if self._container is None:
            container = av.open(str(self._path))
            assert isinstance(container, av.container.InputContainer)
            stream = container.streams.audio[0]
            stream.codec_context.thread_count = 1
            self._container, self._frames = container, iter(container.decode(stream))
            self._time_base = stream.time_base or Fraction(1, RATE)
        assert self._frames is not None
        try:
            frame = next(self._frames)
        except (StopIteration, av.error.FFmpegError):
            self._done = True
            return
        pts = frame.pts or 0
        if self._first is None:
            self._first = pts
        at = int(round((self.track.start + float((pts - self._first) * self._time_base)) * RATE))
        for out in self._resampler.resample(frame):
            samples = out.to_ndarray().reshape(-1, 2)
            self._chunks.append((at, samples))
            at += len(samples)
        self._decoded_to = at

    def add_into(self, block: np.ndarray, first: int) -> None:
        """Add this track's sound for samples [first, first + len(block)) into `block`."""
        last = first + len(block)
        while not self._done and self._decoded_to < last:
            self._decode_more()
        while self._chunks and self._chunks[0][0] + len(self._chunks[0][1]) <= first:
            self._chunks.popleft()
        for at, samples in self._chunks:
            if at >= last:
                break
            lo, hi = max(first, at), min(last, at + len(samples))
            if lo < hi:
                block[lo - first : hi - first] += samples[lo - at : hi - at]

    def close(self) -> None:
        if self._container is not None:
            self._container.close()


def render(
    folder: Path, manifest: dict[str, object], out: Path, progress: Callable[[float], None], throttle: Throttled
) -> None:
    """Write the combined MP4 of the recording in `folder` to `out`."""
    tracks = tracks_of(manifest)
    duration = float(manifest.get("duration") or 0.0)  # type: ignore[arg-type]
    videos = {track: _Video(folder, track) for track in tracks if track.kind == "video"}
    audios = [_Audio(folder, track) for track in tracks if track.kind == "audio"]
    container = av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"})
    assert isinstance(container, av.container.OutputContainer)
    try:
        video = container.add_stream("libx264", rate=FPS, options={"preset": "veryfast", "crf": VIDEO_BITRATE_CRF})
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.codec_context.thread_count = 1
        audio = container.add_stream("aac", rate=RATE, layout="stereo")
        audio.codec_context.thread_count = 1
        frames = max(1, int(duration * FPS))
        audio_next = 0
        for n in range(frames):
            t = n / FPS
            canvas = _blank()
            large, small = layout(tracks, t)
            if large is not None and (picture := videos[large].planes(t, (WIDTH, HEIGHT))) is not None:
                h, w = picture.shape[0] * 2 // 3, picture.shape[1]
                _paste(canvas, picture, (WIDTH - w) // 2 // 2 * 2, (HEIGHT - h) // 2 // 2 * 2)
            if small is not None and (picture := videos[small].planes(t, (PIP_WIDTH, PIP_HEIGHT))) is not None:
                h, w = picture.shape[0] * 2 // 3, picture.shape[1]
                _paste(canvas, picture, WIDTH - PIP_MARGIN - w, HEIGHT - PIP_MARGIN - h)
            for track in tracks:  # keep every video decoding in step, shown or not
                if track.kind == "video" and track not in (large, small) and track.start <= t < track.end:
                    videos[track].at(t)
            frame = av.VideoFrame.from_ndarray(canvas, format="yuv420p")
            frame.pts = n
            frame.time_base = Fraction(1, FPS)
            container.mux(video.encode(frame))
            until = int((n + 1) / FPS * RATE)
            while audio_next < until:
                block = np.zeros((AUDIO_BLOCK, 2), dtype=np.float32)
                for track_audio in audios:
                    track_audio.add_into(block, audio_next)
                np.clip(block, -1.0, 1.0, out=block)
                sound = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="flt", layout="stereo")
                sound.sample_rate = RATE
                sound.pts = audio_next
                sound.time_base = Fraction(1, RATE)
                container.mux(audio.encode(sound))
                audio_next += AUDIO_BLOCK
            if n % FPS == 0:
                progress(n / frames)
                throttle.tick()
        container.mux(video.encode(None))
        container.mux(audio.encode(None))
    finally:
        container.close()
        for video_track in videos.values():
            video_track.close()
        for audio_track in audios:
            audio_track.close()


def lower_priority() -> None:
    """Nice 19 and one CPU (the last): the job yields to everything else on the machine."""
    os.nice(19 - os.nice(0))
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[-1]})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--manifest", type=Path, required=True, help="the recording's manifest (recording.json)")
    parser.add_argument("--cpu", type=float, default=0.5, help="the share of one core it may use")
    args = parser.parse_args(argv)
    lower_priority()
    return run_job(args.folder, args.manifest, Throttle(args.cpu, parent=os.getppid()), render)


if __name__ == "__main__":
    sys.exit(main())
