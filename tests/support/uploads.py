"""Small real files for the upload tests: an MP4 encoded with PyAV (encoding in a test is fine;
the server never encodes) and a PDF made with fpdf2."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from fpdf import FPDF


def make_mp4(path: Path, seconds: float = 2.0, *, audio: bool = True, faststart: bool = False, size: tuple[int, int] = (160, 90)) -> Path:
    """H.264 (+ AAC) at 10 frames per second; `faststart` puts the index (moov) first."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", format="mp4", options=options) as container:
        video = container.add_stream("libx264", rate=10, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        sound = container.add_stream("aac", rate=48000) if audio else None
        frames = int(seconds * 10)
        for i in range(frames):
            picture = np.full((size[1], size[0], 3), (i * 12) % 256, np.uint8)
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 10)
            container.mux(video.encode(frame))
        container.mux(video.encode())
        if sound is not None:
            samples = 1024
            t = np.arange(int(seconds * 48000)) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
            for n, start in enumerate(range(0, len(tone) - samples + 1, samples)):
                chunk = av.AudioFrame.from_ndarray(tone[start : start + samples].reshape(1, -1), format="fltp", layout="mono")
                chunk.sample_rate, chunk.pts = 48000, n * samples
                container.mux(sound.encode(chunk))
            container.mux(sound.encode())
    return path


def make_pdf(path: Path, pages: int = 3) -> Path:
    pdf = FPDF()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("helvetica", size=24)
        pdf.cell(text=f"Slide {n}")
    pdf.output(str(path))
    return path
