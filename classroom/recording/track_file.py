"""One recorded track's file: whole frames remuxed into Matroska/WebM with PyAV, never decoded.

Every stream is created without a codec context (`add_mux_stream`): nothing that could decode
or encode exists, not even unopened. PyAV cannot give such a stream extradata, so an Opus
track's OpusHead is swapped into the header on its way to the file (classroom/recording/opus_head.py).

Crash safety: the Matroska muxer keeps the open cluster in memory and writes it whole, so
clusters are closed every `CLUSTER_MS` and every write is flushed to the operating system; a
killed process leaves a file that plays up to its last closed cluster (a second or so). A clean
close adds the duration and the cues (the seek index).
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream

from classroom.recording import opus_head
from classroom.recording.depacketize import Frame, h264_size, vp8_size

CLUSTER_MS = 1000

_FORMATS = {"video/vp8": ("webm", "vp8", ".webm"), "video/h264": ("matroska", "h264", ".mkv"), "audio/opus": ("webm", "opus", ".webm")}


class StorageError(Exception):
    """The file could not be written; `disk_full` when the disk (or its quota) is full."""

    def __init__(self, message: str, disk_full: bool):
        super().__init__(message)
        self.disk_full = disk_full


def extension(mime_type: str) -> str:
    return _FORMATS[mime_type.lower()][2]


class _WatchedFile:
    """The file PyAV writes through: unbuffered, and it keeps the first write error.

    FFmpeg notes a failed write in its I/O context and carries on; keeping the error here lets
    the track stop at the first one instead of writing into a full disk. An Opus track's file
    also swaps the OpusHead into the track header (`opus_head.patch_header`) as it passes.
    """

    def __init__(self, path: Path, opus: bool = False):
        self._file = open(path, "wb", buffering=0)  # noqa: SIM115 - closed by close()
        self.error: OSError | None = None
        self._opus = opus
        self.opus_heads = 0  # track headers written with the OpusHead swapped in

    def write(self, data: bytes) -> int:
        if self._opus:
            data, swapped = opus_head.patch_header(bytes(data))
            self.opus_heads += swapped
        view = memoryview(data)
        try:
            while view:
                written = self._file.write(view)
                if not written:
                    raise OSError(28, "No space left on device")
                view = view[written:]
        except OSError as exc:
            self.error = self.error or exc
            raise
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()


def _storage_error(exc: Exception) -> StorageError:
    errno = getattr(exc, "errno", None)
    return StorageError(str(exc), disk_full=errno in (28, 122))  # ENOSPC, EDQUOT


class TrackFile:
    """Writes one track's frames; opened at its first key frame by `TrackFile.open`."""

    def __init__(
        self,
        path: Path,
        file: _WatchedFile,
        container: av.container.OutputContainer,
        stream: av.stream.Stream,
        clock_rate: int,
        first_ts: int,
    ):
        self.path = path
        self._file = file
        self._container = container
        self._stream = stream
        self._time_base = Fraction(1, clock_rate)
        self._first_ts = first_ts
        self._last_ts = first_ts
        self._unwrapped = 0
        self.frames = 0
        self.bytes = 0
        self.closed = False

    @classmethod
    def open(cls, path: Path, mime_type: str, clock_rate: int, first: Frame) -> TrackFile:
        """Create the file for a track whose first frame (a key frame) is `first`."""
        fmt, codec, _ = _FORMATS[mime_type.lower()]
        options = {"cluster_time_limit": str(CLUSTER_MS)}
        try:
            file = _WatchedFile(path, opus=codec == "opus")
            container = av.open(file, "w", format=fmt, options=options, container_options={"flush_packets": "1"})
        except Exception as exc:  # noqa: BLE001 - PyAV raises its own OSError subclasses
            raise _storage_error(exc) from None
        assert isinstance(container, av.container.OutputContainer)
        stream: av.stream.Stream
        if codec == "opus":
            stream = container.add_mux_stream(codec, rate=clock_rate)
            stream.metadata["title"] = opus_head.PLACEHOLDER  # becomes the OpusHead on its way out
        else:
            # H.264: the muxer builds the avcC record from the SPS/PPS ahead of the first IDR.
            size = vp8_size(first.data) if codec == "vp8" else h264_size(first.data)
            width, height = size or (0, 0)
            stream = container.add_mux_stream(codec, width=width, height=height)
        stream.time_base = Fraction(1, clock_rate)
        track = cls(path, file, container, stream, clock_rate, first.ts)
        track.write(first)
        return track

    def _pts(self, ts: int) -> int:
        delta = (ts - self._last_ts) & 0xFFFFFFFF
        if delta >= 1 << 31:
            delta -= 1 << 32  # a frame a little older than the last one
        self._unwrapped += delta
        self._last_ts = ts
        return self._unwrapped

    def write(self, frame: Frame) -> None:
        """Mux one frame; raises StorageError when it cannot be written."""
        pts = self._pts(frame.ts)
        packet = av.Packet(frame.data)
        packet.stream = self._stream
        packet.time_base = self._time_base
        packet.pts = packet.dts = pts
        packet.is_keyframe = frame.keyframe
        try:
            self._container.mux(packet)
        except Exception as exc:  # noqa: BLE001 - av.error.OSError and friends
            raise _storage_error(self._file.error or exc) from None
        if self._file.error is not None:
            raise _storage_error(self._file.error)
        self.frames += 1
        self.bytes += len(frame.data)

    @property
    def duration(self) -> float:
        """Seconds from the first frame to the last one written."""
        return float(self._unwrapped * self._time_base)

    def close(self) -> None:
        """Finish the file (duration, cues); on a full disk what was written stays readable."""
        if self.closed:
            return
        self.closed = True
        try:
            self._container.close()
        except Exception as exc:  # noqa: BLE001
            raise _storage_error(self._file.error or exc) from None
        finally:
            self._file.close()
        if self._file.error is not None:
            raise _storage_error(self._file.error)
