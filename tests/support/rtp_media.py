"""Real RTP payloads for recorder tests: frames encoded and packetized by aiortc's encoders.

Tests may encode (the audit only forbids it in the server); the recorder under test then
depacketizes and remuxes these packets exactly as it would the relay's.
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from typing import Iterator

import numpy as np
from aiortc.codecs import get_encoder
from aiortc.rtcrtpparameters import RTCRtpCodecParameters
from av import AudioFrame, VideoFrame

CLOCK = {"video/VP8": 90000, "video/H264": 90000, "audio/opus": 48000}


@dataclass(frozen=True)
class RtpPacket:
    seq: int
    ts: int
    marker: bool
    payload: bytes


def _image(i: int, width: int, height: int, noise: bool, background: int = 60) -> np.ndarray:
    if noise:  # hard to compress: big frames, for tests that fill a disk quickly
        return np.random.default_rng(i).integers(0, 255, (height, width, 3), dtype=np.uint8)
    image = np.full((height, width, 3), background, dtype=np.uint8)
    x = (i * 4) % (width - 16)
    image[:, x : x + 16, :] = 230
    return image


def rtp_packets(
    mime_type: str, frames: int, *, keyframe_every: int = 30, first_seq: int = 1000, first_ts: int = 12345,
    width: int = 320, height: int = 240, fps: int = 30, noise: bool = False, background: int = 60,
) -> Iterator[list[RtpPacket]]:
    """Yields the packets of each encoded frame (20 ms per frame for Opus); video is a light bar
    moving over a grey `background`."""
    clock = CLOCK[mime_type]
    encoder = get_encoder(RTCRtpCodecParameters(mimeType=mime_type, clockRate=clock, payloadType=96, channels=2 if "opus" in mime_type else None))
    seq = first_seq
    for i in range(frames):
        if mime_type.startswith("video"):
            frame = VideoFrame.from_ndarray(_image(i, width, height, noise, background), format="bgr24")
            frame.pts = i * clock // fps
            frame.time_base = fractions.Fraction(1, clock)
        else:
            t = np.arange(i * 960, (i + 1) * 960) / 48000
            wave = (0.25 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
            frame = AudioFrame.from_ndarray(wave.reshape(1, -1), format="s16", layout="mono")
            frame.sample_rate = 48000
            frame.pts = i * 960
            frame.time_base = fractions.Fraction(1, 48000)
        payloads, timestamp = encoder.encode(frame, force_keyframe=i % keyframe_every == 0)
        ts = (first_ts + timestamp) & 0xFFFFFFFF
        packets = []
        for j, payload in enumerate(payloads):
            packets.append(RtpPacket(seq & 0xFFFF, ts, j == len(payloads) - 1, payload))
            seq += 1
        yield packets


def opus_head(channels: int = 2, sample_rate: int = 48000, pre_skip: int = 312) -> bytes:
    """The OpusHead identification header (RFC 7845 §5.1), for a test's own Opus decoder."""
    return (
        b"OpusHead" + bytes([1, channels]) + pre_skip.to_bytes(2, "little")
        + sample_rate.to_bytes(4, "little") + b"\x00\x00\x00"
    )
