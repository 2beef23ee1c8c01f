"""Process-wide recording counters, for /metrics (read like classroom/relay/counters.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class RecordingCounters:
    recording_bytes_written: int = 0  # media bytes handed to track files
    recording_frames_written: int = 0
    recordings_started: int = 0
    recordings_stopped_by_storage: int = 0  # disk full, quota reached, write errors

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


RECORDING = RecordingCounters()
