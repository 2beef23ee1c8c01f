"""One recording of a live class: its tracks' files, its timeline and its manifest.

A `TrackRecorder` is a packet tap on a forwarded track (classroom/relay/forwarding.py): it sees
the packets the relay already has, beside the subscribers, so recording needs no extra peer
and never decodes. Each time a track starts being recorded it gets its own file (a segment),
starting at a key frame; where it sits on the recording's time line is the time its first
frame arrived, counted from the start of the recording.

The `Recording` keeps `recording.json` in its folder up to date (written to a temporary file
and renamed, so it is always whole): the class, who recorded it, the segments and the timeline
(floor changes, screen shares). A recording stops cleanly when the disk (or the quota) is full:
every file is closed where it is, and `on_stopped` says why, so that the class tells the
lecturer; the class itself goes on.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Callable

from classroom.events import ClassSummary
from classroom.recording.counters import RECORDING
from classroom.recording.depacketize import Depacketizer, depacketizer_for
from classroom.recording.track_file import StorageError, TrackFile, extension
from classroom.relay.forwarding import ForwardPacket, UpTrack

logger = logging.getLogger(__name__)

MANIFEST = "recording.json"
_KEYFRAME_REQUEST_INTERVAL = 0.5
_STORAGE_CHECK_INTERVAL = 1.0


class StopReason(str, enum.Enum):
    STOPPED = "stopped"  # the lecturer stopped it
    CLASS_ENDED = "class_ended"
    EVERYONE_LEFT = "everyone_left"
    SERVER_SHUTDOWN = "server_shutdown"
    DISK_FULL = "disk_full"
    QUOTA = "quota"  # the recordings' folder reached its quota
    WRITE_ERROR = "write_error"


STORAGE_REASONS = frozenset({StopReason.DISK_FULL, StopReason.QUOTA, StopReason.WRITE_ERROR})


@dataclass(frozen=True)
class StoragePolicy:
    """Where recordings go and how much they may take."""

    folder: Path
    quota_bytes: int | None = None  # everything in `folder` together
    min_free_bytes: int = 64 << 20  # stop before the disk is full


@dataclass(frozen=True)
class TrackLabel:
    """Whose track it is, as the library and the playback page show it."""

    participant_id: str
    name: str
    role: str
    source: str
    track_id: str


@dataclass
class Segment:
    """One file: a track recorded from `start` to `end` (seconds on the recording's time line)."""

    file: str
    label: TrackLabel
    codec: str
    start: float | None = None
    end: float | None = None
    frames: int = 0
    bytes: int = 0


@dataclass
class TimelineEntry:
    t: float  # seconds since the recording started
    kind: str  # "floor", "screen_share", "track", "recording"
    data: dict[str, object] = field(default_factory=dict)


def folder_bytes(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


class TrackRecorder:
    """Depacketizes one track's forwarded packets into its segment's file."""

    def __init__(self, recording: Recording, uptrack: UpTrack, segment: Segment, path: Path):
        self._recording = recording
        self._uptrack = uptrack
        self.segment = segment
        self._path = path
        self._codec = uptrack.codec
        self._depacketizer: Depacketizer = depacketizer_for(self._codec.mime_type, self._codec.clock_rate)
        self._file: TrackFile | None = None
        self._last_keyframe_request = 0.0
        self.stopped = False

    def on_packet(self, pkt: ForwardPacket) -> None:
        if self.stopped:
            return
        dep = self._depacketizer
        frames = dep.push(pkt.seq, pkt.ts, pkt.marker, pkt.payload)
        if dep.needs_keyframe and pkt.arrival - self._last_keyframe_request > _KEYFRAME_REQUEST_INTERVAL:
            self._last_keyframe_request = pkt.arrival
            self._uptrack.request_keyframe()
        try:
            for frame in frames:
                if self._file is None:
                    if not frame.keyframe:
                        continue
                    self._file = TrackFile.open(self._path, self._codec.mime_type, self._codec.clock_rate, frame)
                    self.segment.start = self._recording.elapsed(pkt.arrival)
                    self._recording.segment_started(self)
                else:
                    self._file.write(frame)
                RECORDING.recording_frames_written += 1
                RECORDING.recording_bytes_written += len(frame.data)
                self._recording.wrote(len(frame.data))
        except StorageError as error:
            self._recording.storage_failed(error)
            return
        if self._file is not None:
            self.segment.frames = self._file.frames
            self.segment.bytes = self._file.bytes

    def on_source_closed(self) -> None:
        """The track ended (unpublished, the participant left): its segment ends."""
        self._recording.release_recorder(self)

    def stop(self) -> None:
        """Close the file where it is; a full disk leaves what was written readable."""
        if self.stopped:
            return
        self.stopped = True
        self._uptrack.remove_tap(self)
        track_file, self._file = self._file, None
        if track_file is None:
            return
        self.segment.end = (self.segment.start or 0.0) + track_file.duration
        self.segment.frames = track_file.frames
        self.segment.bytes = track_file.bytes
        try:
            track_file.close()
        except StorageError as error:
            logger.warning("closing %s: %s", self._path, error)


class Recording:
    """A class's recording while it runs (and its manifest afterwards)."""

    def __init__(
        self,
        recording_id: str,
        storage: StoragePolicy,
        info: dict[str, object],
        on_stopped: Callable[[StopReason], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        """`info`: what the library shows (class id, course id, title, lecturer...); the files go
        to `<storage folder>/<class id>/<recording id>/`."""
        self.id = recording_id
        self.storage = storage
        self.folder = storage.folder / str(info.get("class_id") or "unfiled") / recording_id
        self.info = info
        self._on_stopped = on_stopped
        self._clock = clock
        self._t0 = clock()
        self.started_at = wall_clock()
        self._wall_clock = wall_clock
        self.ended_at: datetime | None = None
        self.segments: list[Segment] = []
        self.timeline: list[TimelineEntry] = []
        self._recorders: dict[tuple[str, str], TrackRecorder] = {}
        self.bytes_written = 0
        self.stop_reason: StopReason | None = None
        self._last_storage_check = self._t0
        self._used_before = 0

    # ---- life -------------------------------------------------------------------------------

    def start(self) -> None:
        """Create the folder; raises StorageError when there is no room to start."""
        try:
            self.folder.mkdir(parents=True, exist_ok=False)
        except OSError as exc:
            raise StorageError(f"cannot create {self.folder}: {exc}", disk_full=exc.errno == 28) from None
        self._used_before = folder_bytes(self.storage.folder)
        problem = self._storage_problem()
        if problem is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise StorageError(f"no room to record ({problem.value})", disk_full=True)
        RECORDING.recordings_started += 1
        self.note("recording", state="started")

    @property
    def active(self) -> bool:
        return self.stop_reason is None

    def elapsed(self, at: float | None = None) -> float:
        return round((self._clock() if at is None else at) - self._t0, 3)

    def stop(self, reason: StopReason) -> None:
        """Close every file and write the final manifest; `on_stopped` hears why."""
        if self.stop_reason is not None:
            return
        self.stop_reason = reason
        for recorder in list(self._recorders.values()):
            recorder.stop()
        self._recorders.clear()
        self.ended_at = self._wall_clock()
        self.timeline.append(TimelineEntry(self.elapsed(), "recording", {"state": "stopped", "reason": reason.value}))
        self.write_manifest()
        if reason in STORAGE_REASONS:
            RECORDING.recordings_stopped_by_storage += 1
        self._on_stopped(reason)

    # ---- tracks -----------------------------------------------------------------------------

    @property
    def recorded(self) -> set[tuple[str, str]]:
        return set(self._recorders)

    def record(self, key: tuple[str, str], uptrack: UpTrack, label: TrackLabel) -> None:
        """Start a new segment of this track (publisher id, track id = `key`)."""
        if not self.active or key in self._recorders:
            return
        n = len(self.segments) + 1
        name = f"{n:03d}-{label.role}-{label.source}{extension(uptrack.codec.mime_type)}"
        segment = Segment(file=name, label=label, codec=uptrack.codec.mime_type)
        self.segments.append(segment)
        recorder = TrackRecorder(self, uptrack, segment, self.folder / name)
        self._recorders[key] = recorder
        uptrack.add_tap(recorder)

    def release(self, key: tuple[str, str]) -> None:
        """Stop recording this track (its segment ends)."""
        recorder = self._recorders.pop(key, None)
        if recorder is not None:
            recorder.stop()
            self._segment_ended(recorder)

    def release_recorder(self, recorder: TrackRecorder) -> None:
        for key, known in list(self._recorders.items()):
            if known is recorder:
                self.release(key)

    def segment_started(self, recorder: TrackRecorder) -> None:
        label = recorder.segment.label
        self.note("track", state="started", file=recorder.segment.file, participant=label.name, source=label.source)

    def _segment_ended(self, recorder: TrackRecorder) -> None:
        if recorder.segment.start is None:
            self.segments.remove(recorder.segment)  # no key frame ever came: no file
            return
        label = recorder.segment.label
        self.note("track", state="ended", file=recorder.segment.file, participant=label.name, source=label.source)

    # ---- timeline ---------------------------------------------------------------------------

    def note(self, kind: str, **data: object) -> None:
        """Add to the timeline (floor changes, screen shares...) and save the manifest."""
        if not self.active:
            return
        self.timeline.append(TimelineEntry(self.elapsed(), kind, dict(data)))
        self.write_manifest()

    # ---- storage ----------------------------------------------------------------------------

    def wrote(self, size: int) -> None:
        self.bytes_written += size
        quota = self.storage.quota_bytes
        if quota is not None and self._used_before + self.bytes_written >= quota:
            self.stop(StopReason.QUOTA)
            return
        now = self._clock()
        if now - self._last_storage_check >= _STORAGE_CHECK_INTERVAL:  # free space: once a second
            self._last_storage_check = now
            problem = self._storage_problem()
            if problem is not None:
                self.stop(problem)

    def _storage_problem(self) -> StopReason | None:
        quota = self.storage.quota_bytes
        if quota is not None and self._used_before + self.bytes_written >= quota:
            return StopReason.QUOTA
        try:
            free = shutil.disk_usage(self.folder).free
        except OSError:
            return StopReason.WRITE_ERROR
        return StopReason.DISK_FULL if free < self.storage.min_free_bytes else None

    def storage_failed(self, error: StorageError) -> None:
        logger.warning("recording %s stops: %s", self.id, error)
        self.stop(StopReason.DISK_FULL if error.disk_full else StopReason.WRITE_ERROR)

    # ---- manifest ---------------------------------------------------------------------------

    def manifest(self) -> dict[str, object]:
        duration = self.elapsed() if self.ended_at is None else self.timeline[-1].t
        return {
            "id": self.id,
            **self.info,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "duration": duration,
            "status": "recording" if self.active else "complete",
            "stop_reason": self.stop_reason.value if self.stop_reason else None,
            "segments": [asdict(s) for s in self.segments if s.start is not None],
            "timeline": [asdict(e) for e in self.timeline],
        }

    def write_manifest(self) -> None:
        """Replace recording.json whole; on a full disk the previous one stays."""
        path = self.folder / MANIFEST
        temporary = path.with_suffix(".tmp")
        try:
            temporary.write_text(json.dumps(self.manifest(), ensure_ascii=False, indent=1))
            os.replace(temporary, path)
        except OSError as exc:
            logger.warning("recording %s: cannot save the manifest: %s", self.id, exc)
            try:
                temporary.unlink(missing_ok=True)
            except OSError:
                pass


# Makes the (not yet started) recording of a class: (the class, who records it (None: the
# course's schedule), how the recording reports that it stopped) -> Recording. The
# composition root binds the storage.
RecordingFactory = Callable[[ClassSummary, str | None, Callable[[StopReason], None]], Recording]
