"""The room's ceiling microphones and speakers through PyAudio (PortAudio).

Capture: 20 ms blocks of 48 kHz mono from the named input device become the room's audio
track (aiortc encodes them as Opus). The room's DSP already cancels echo, so nothing here
processes the capture again. Playback: every remote audio track the class sends the room (a
remote lecturer, trainees holding the floor) is mixed into one output stream. Both sides keep
a level (dBFS) for the technician console.
"""

from __future__ import annotations

import asyncio
import logging
import collections
import math
import threading
import time
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

logger = logging.getLogger(__name__)

RATE = 48000
BLOCK = 960  # 20 ms
SILENCE_DBFS = -100.0


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_rate: int


def list_devices() -> list[AudioDevice]:
    import pyaudio

    pa = pyaudio.PyAudio()
    try:
        out = []
        for i in range(pa.get_device_count()):
            info = pa.get_device_info_by_index(i)
            out.append(
                AudioDevice(
                    i,
                    str(info["name"]),
                    int(info["maxInputChannels"]),
                    int(info["maxOutputChannels"]),
                    int(info["defaultSampleRate"]),
                )
            )
        return out
    finally:
        pa.terminate()


def find_device(wanted: str | int | None, direction: str) -> int | None:
    """A device index from an index or a (part of a) name; None: PortAudio's default."""
    if wanted is None or wanted == "":
        return None
    devices = [d for d in list_devices() if (d.inputs if direction == "input" else d.outputs) > 0]
    if isinstance(wanted, int) or str(wanted).isdigit():
        index = int(wanted)
        if any(d.index == index for d in devices):
            return index
        raise LookupError(f"no {direction} audio device with index {index}")
    exact = [d for d in devices if d.name == wanted]
    partial = [d for d in devices if str(wanted).lower() in d.name.lower()]
    found = exact or partial
    if not found:
        names = ", ".join(d.name for d in devices) or "none"
        raise LookupError(f"no {direction} audio device named {wanted!r} (there are: {names})")
    return found[0].index


def dbfs(samples: np.ndarray) -> float:
    if samples.size == 0:
        return SILENCE_DBFS
    rms = float(np.sqrt(np.mean(np.square(samples.astype(np.float64) / 32768.0))))
    return round(max(SILENCE_DBFS, 20 * math.log10(rms)) if rms > 0 else SILENCE_DBFS, 1)


class Level:
    """The loudest 20 ms block of the last second, in dBFS (what a level meter shows)."""

    def __init__(self, window: float = 1.0):
        self.window = window
        self._blocks: collections.deque[tuple[float, float]] = collections.deque()

    def add(self, samples: np.ndarray) -> None:
        now = time.monotonic()
        self._blocks.append((now, dbfs(samples)))
        while self._blocks and self._blocks[0][0] < now - self.window:
            self._blocks.popleft()

    @property
    def dbfs(self) -> float:
        now = time.monotonic()
        return max((d for t, d in list(self._blocks) if t >= now - self.window), default=SILENCE_DBFS)


class MicrophoneTrack(MediaStreamTrack):
    """The room's capture device as an aiortc audio track (blocking reads in a thread)."""

    kind = "audio"

    def __init__(self, device: str | int | None = None):
        super().__init__()
        import pyaudio

        self._pa = pyaudio.PyAudio()
        self._stream = self._pa.open(
            format=pyaudio.paInt16,
            channels=1,
            rate=RATE,
            input=True,
            input_device_index=find_device(device, "input"),
            frames_per_buffer=BLOCK,
        )
        self._pts = 0
        self.level = Level()

    async def recv(self) -> av.AudioFrame:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        data = await asyncio.to_thread(self._stream.read, BLOCK, False)
        samples = np.frombuffer(data, dtype=np.int16)
        self.level.add(samples)
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._pts
        frame.time_base = Fraction(1, RATE)
        self._pts += BLOCK
        return frame

    def stop(self) -> None:
        if self.readyState == "live":
            super().stop()
        try:
            self._stream.stop_stream()
            self._stream.close()
        finally:
            self._pa.terminate()


class Speakers:
    """Mixes the class's remote audio tracks into the room's output device."""

    def __init__(self, device: str | int | None = None):
        import pyaudio

        self._pa = pyaudio.PyAudio()
        self._stream = self._pa.open(
            format=pyaudio.paInt16,
            channels=1,
            rate=RATE,
            output=True,
            output_device_index=find_device(device, "output"),
            frames_per_buffer=BLOCK,
        )
        self._buffers: dict[str, bytearray] = {}
        self._lock = threading.Lock()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._play, name="room-speakers", daemon=True)
        self.level = Level()
        self._thread.start()

    def add(self, track: MediaStreamTrack) -> None:
        """Play this remote track until it ends (a track already added is ignored)."""
        if track.id in self._tasks and not self._tasks[track.id].done():
            return
        self._tasks[track.id] = asyncio.create_task(self._pull(track))

    async def _pull(self, track: MediaStreamTrack) -> None:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        try:
            while True:
                frame = await track.recv()
                if not isinstance(frame, av.AudioFrame):
                    continue
                for out in resampler.resample(frame):
                    data = out.to_ndarray().tobytes()
                    with self._lock:
                        buffer = self._buffers.setdefault(track.id, bytearray())
                        buffer += data
                        del buffer[: max(0, len(buffer) - RATE * 2 // 2)]  # at most 0.5 s behind
        except MediaStreamError:
            pass
        finally:
            with self._lock:
                self._buffers.pop(track.id, None)

    def _play(self) -> None:
        block_bytes = BLOCK * 2
        while not self._stop.is_set():
            mix = np.zeros(BLOCK, dtype=np.int32)
            with self._lock:
                for buffer in self._buffers.values():
                    chunk = bytes(buffer[:block_bytes])
                    del buffer[:block_bytes]
                    if chunk:
                        samples = np.frombuffer(chunk, dtype=np.int16)
                        mix[: samples.size] += samples
            out = np.clip(mix, -32768, 32767).astype(np.int16)
            self.level.add(out)
            try:
                self._stream.write(out.tobytes())  # blocks for the block's duration: the pace
            except OSError as exc:
                logger.warning("room speakers: %s", exc)
                self._stop.wait(0.02)

    def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        self._stop.set()
        self._thread.join(2)
        self._stream.stop_stream()
        self._stream.close()
        self._pa.terminate()
