"""Track files written from real packets, read back with PyAV: codecs, frames, duration; a killed
writer and a full disk leave readable files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import av
import pytest

from classroom.recording import opus_head
from classroom.recording.depacketize import Frame, depacketizer_for
from classroom.recording.track_file import StorageError, TrackFile, extension
from tests.support.rtp_media import CLOCK, rtp_packets
from tests.support.tmpfs import small_tmpfs

CODEC_NAME = {"video/VP8": "vp8", "video/H264": "h264", "audio/opus": "opus"}


def frames_of(mime: str, n: int, **kw) -> list[Frame]:
    dep = depacketizer_for(mime, CLOCK[mime])
    out: list[Frame] = []
    for packets in rtp_packets(mime, n, **kw):
        for p in packets:
            out += dep.push(p.seq, p.ts, p.marker, p.payload)
    return out


def read_back(path: Path) -> tuple[str, int, float, int]:
    """(codec, packets, seconds from the first to the last packet, decoded frames)."""
    with av.open(str(path)) as container:
        stream = container.streams[0]
        pts = [p.pts for p in container.demux(stream) if p.pts is not None]
        seconds = float((max(pts) - min(pts)) * stream.time_base)
        name = stream.codec_context.name
    with av.open(str(path)) as container:
        decoded = sum(1 for _ in container.decode(container.streams[0]))
    return name, len(pts), seconds, decoded


@pytest.mark.parametrize("mime", ["video/VP8", "video/H264", "audio/opus"])
def test_frames_remuxed_into_a_file_read_back(tmp_path, mime):
    n = 90 if mime.startswith("video") else 150  # 3 s either way
    frames = frames_of(mime, n, width=640, height=360)
    path = tmp_path / f"track{extension(mime)}"
    track = TrackFile.open(path, mime, CLOCK[mime], frames[0])
    for frame in frames[1:]:
        track.write(frame)
    track.close()
    codec, packets, seconds, decoded = read_back(path)
    assert codec == CODEC_NAME[mime]
    assert packets == n
    assert seconds == pytest.approx(track.duration, abs=0.002)
    assert seconds == pytest.approx(3.0 - (1 / 30 if mime.startswith("video") else 0.02), abs=0.01)
    assert decoded >= n - 2
    with av.open(str(path)) as container:
        if mime.startswith("video"):
            assert (container.streams.video[0].codec_context.width, container.streams.video[0].codec_context.height) == (640, 360)
        assert container.duration is not None  # a clean close writes the duration


_WRITER = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from tests.classroom.recording.test_track_file import frames_of
from classroom.recording.track_file import TrackFile
frames = frames_of("video/VP8", 900, keyframe_every=60)
track = TrackFile.open(Path({path!r}), "video/VP8", 90000, frames[0])
for i, frame in enumerate(frames[1:], 1):
    track.write(frame)
    if i == 600:
        print("written 600", flush=True)
        sys.stdin.read()  # killed here, without closing the file
"""


def test_a_killed_writer_leaves_a_file_readable_up_to_its_last_second(tmp_path):
    path = tmp_path / "killed.webm"
    root = str(Path(__file__).resolve().parents[3])
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER.format(root=root, path=str(path))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("written 600"), proc.stderr.read() if proc.stderr else ""
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    codec, packets, seconds, decoded = read_back(path)
    # 601 frames (20 s) were handed to the muxer; at most the open cluster (1 s) is lost.
    assert codec == "vp8"
    assert packets >= 601 - 31, packets
    assert seconds >= 20 - 1.1
    assert decoded == packets


def test_a_full_disk_raises_storage_error_and_leaves_a_readable_file(tmp_path):
    frames = frames_of("video/VP8", 300, width=1280, height=720, keyframe_every=60)
    with small_tmpfs(tmp_path / "small", "64k") as folder:
        path = folder / "full.webm"
        track = TrackFile.open(path, "video/VP8", 90000, frames[0])
        with pytest.raises(StorageError) as caught:
            for frame in frames[1:]:
                track.write(frame)
        assert caught.value.disk_full
        try:
            track.close()
        except StorageError:
            pass  # the trailer may not fit; the clusters before it are on disk
        codec, packets, seconds, decoded = read_back(path)
        assert codec == "vp8" and packets > 10 and decoded == packets
        assert packets <= track.frames


def test_an_opus_track_carries_its_opus_head_and_decodes_with_it(tmp_path):
    """What a player reads: CodecPrivate = OpusHead (48 kHz, 2 channels), and the audio decodes
    through it (FFmpeg's decoder, which Chromium uses for Opus in WebM, configured from it)."""
    frames = frames_of("audio/opus", 100)
    path = tmp_path / "mic.webm"
    track = TrackFile.open(path, "audio/opus", 48000, frames[0])
    for frame in frames[1:]:
        track.write(frame)
    track.close()
    assert track._file.opus_heads >= 1
    assert opus_head.PLACEHOLDER.encode() not in path.read_bytes()  # the header, and its rewrite at close
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.extradata == opus_head.opus_head()
        assert (stream.codec_context.sample_rate, stream.codec_context.channels) == (48000, 2)
        assert "title" not in stream.metadata
        decoded = list(container.decode(stream))
    assert len(decoded) >= 98
    assert decoded[0].sample_rate == 48000 and decoded[0].layout.nb_channels == 2
    samples = sum(frame.samples for frame in decoded)
    assert samples == pytest.approx(100 * 960, abs=2 * 960)
    loudest = max(float(abs(frame.to_ndarray()).max()) for frame in decoded)
    assert loudest > 0.01  # the test tone, not silence


def test_a_killed_opus_writer_leaves_the_opus_head_in_place(tmp_path):
    """The head is written with the first bytes: a file cut short has it too."""
    frames = frames_of("audio/opus", 150)
    path = tmp_path / "cut.webm"
    track = TrackFile.open(path, "audio/opus", 48000, frames[0])
    for frame in frames[1:]:
        track.write(frame)
    # Not closed: what a killed server leaves (the clusters written so far).
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.extradata == opus_head.opus_head()
        assert sum(1 for _ in container.decode(stream)) >= 100
    track.close()
