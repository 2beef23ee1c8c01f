"""Generated media for WebRTC tests: a moving test pattern and a sine tone."""

from __future__ import annotations

import asyncio
import fractions
import math

import numpy as np
from aiortc import AudioStreamTrack, MediaStreamTrack, VideoStreamTrack
from av import AudioFrame, VideoFrame


class PatternTrack(VideoStreamTrack):
    """A frame counter drawn as a bright bar moving over a dark, mid-grey field."""

    def __init__(self, width: int = 320, height: int = 240):
        super().__init__()
        self.width = width
        self.height = height
        self.count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = np.full((self.height, self.width, 3), 60, dtype=np.uint8)
        x = (self.count * 4) % (self.width - 16)
        image[:, x : x + 16, :] = 230
        self.count += 1
        frame = VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class NoiseTrack(VideoStreamTrack):
    """Random pixels: as hard to compress as video gets, for tests that fill a disk quickly."""

    def __init__(self, width: int = 320, height: int = 240):
        super().__init__()
        self.width = width
        self.height = height
        self.rng = np.random.default_rng(1)

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        image = self.rng.integers(0, 255, (self.height, self.width, 3), dtype=np.uint8)
        frame = VideoFrame.from_ndarray(image, format="bgr24")
        frame.pts = pts
        frame.time_base = time_base
        return frame


class ToneTrack(AudioStreamTrack):
    """A 440 Hz sine at -12 dBFS, 20 ms frames, 48 kHz mono."""

    def __init__(self, frequency: float = 440.0):
        super().__init__()
        self.frequency = frequency
        self.sample = 0

    async def recv(self) -> AudioFrame:
        frame = await super().recv()  # paces to real time and stamps pts
        n = frame.samples
        t = (np.arange(self.sample, self.sample + n) / frame.sample_rate).astype(np.float64)
        self.sample += n
        wave = (0.25 * 32767 * np.sin(2 * math.pi * self.frequency * t)).astype(np.int16)
        out = AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
        out.sample_rate = frame.sample_rate
        out.pts = frame.pts
        out.time_base = fractions.Fraction(1, frame.sample_rate)
        return out


def audio_level(frame: AudioFrame) -> float:
    """RMS of a decoded frame, 0..1."""
    data = frame.to_ndarray().astype(np.float64) / 32768
    return float(np.sqrt(np.mean(data**2)))


async def frames(track: MediaStreamTrack, n: int, timeout: float = 10.0) -> list:
    """The next n frames a received track decodes, each within timeout seconds."""
    return [await asyncio.wait_for(track.recv(), timeout) for _ in range(n)]
