"""The last report of each room's agent (classbridge room-agent), kept in memory.

The agent reports every few seconds with its room key; a room whose agent has not reported
for `STALE_AFTER` seconds is shown offline. Nothing is stored: after a server restart the
agents' next reports fill it again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

STALE_AFTER = 30.0  # seconds: three missed reports at the agent's 10 s
Clock = Callable[[], float]


class VideoReport(BaseModel):
    model_config = ConfigDict(extra="ignore")

    source: str = Field("", max_length=300)
    state: Literal["starting", "live", "lost"] = "starting"
    mode: Literal["passthrough", "re-encoded"] | None = None
    reason: str | None = Field(None, max_length=300)
    codec: str | None = Field(None, max_length=32)
    profile: str | None = Field(None, max_length=64)
    width: int | None = Field(None, ge=0, le=16384)
    height: int | None = Field(None, ge=0, le=16384)
    fps: float | None = Field(None, ge=0, le=1000)
    bitrate_bps: int | None = Field(None, ge=0, le=10**10)
    reconnects: int = Field(0, ge=0)
    frames: int = Field(0, ge=0)


class AudioReport(BaseModel):
    capture_dbfs: float = Field(-100.0, ge=-200, le=10)
    playback_dbfs: float = Field(-100.0, ge=-200, le=10)
    error: str | None = Field(None, max_length=500)  # a capture or playback device that did not open


class AgentReport(BaseModel):
    """What the agent sends (its `status()`)."""

    model_config = ConfigDict(extra="ignore")

    version: str = Field(max_length=64)
    state: Literal["starting", "idle", "joining", "in_class", "offline", "refused"]
    detail: str = Field("", max_length=500)
    class_id: str | None = Field(None, max_length=64)
    video: VideoReport | None = None
    audio: AudioReport = AudioReport()


class AgentView(AgentReport):
    room: str
    online: bool
    seconds_since_report: float


class RoomAgents:
    def __init__(self, clock: Clock = time.monotonic):
        self._clock = clock
        self._reports: dict[str, tuple[AgentReport, float]] = {}
        self._lock = threading.Lock()

    def report(self, room: str, report: AgentReport) -> None:
        with self._lock:
            self._reports[room] = (report, self._clock())

    def view(self, room: str) -> AgentView | None:
        with self._lock:
            found = self._reports.get(room)
        if found is None:
            return None
        report, at = found
        age = self._clock() - at
        return AgentView(**report.model_dump(), room=room, online=age < STALE_AFTER, seconds_since_report=round(age, 1))

    def views(self) -> list[AgentView]:
        with self._lock:
            rooms = sorted(self._reports)
        return [v for v in (self.view(r) for r in rooms) if v is not None]
