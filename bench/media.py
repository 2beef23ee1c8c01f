"""Pre-encoded media for the load harness: 720p30 VP8 or H.264 at ~1.5 Mbit/s, and Opus.

Generated once with PyAV from a moving synthetic scene (so the encoder produces realistic
frame sizes and a key frame every second) and cached under bench/out/media/. Publishers send
these files with aiortc's MediaPlayer(decode=False): no encoding while measuring.
"""

from __future__ import annotations

import argparse
import fractions
from pathlib import Path

import av
import numpy as np

OUT = Path(__file__).resolve().parent / "out" / "media"
FPS = 30
HD = (1280, 720)
VIDEO_BITRATE = 1_500_000  # at 720p; scaled with the pixel count for other sizes
GOP = FPS  # one key frame per second: the longest a late joiner waits with a file source


def _scene(i: int, width: int, height: int) -> np.ndarray:
    """A gradient with moving bars and noise patches: enough detail to use the bit rate."""
    y, x = np.mgrid[0:height, 0:width]
    base = ((x + 3 * i) % 256).astype(np.uint8)
    frame = np.stack([base, ((y + 2 * i) % 256).astype(np.uint8), ((x + y + i) % 256).astype(np.uint8)], axis=-1)
    bar = (i * 12) % (width - width // 10)
    frame[:, bar : bar + width // 10] = 255 - frame[:, bar : bar + width // 10]
    rng = np.random.default_rng(i // 3)
    ph, pw = height // 4, width // 4
    frame[height // 12 : height // 12 + ph, width // 16 : width // 16 + pw] = rng.integers(0, 255, (ph, pw, 3), dtype=np.uint8)
    return frame


def video_file(codec: str, seconds: int = 20, size: tuple[int, int] = HD) -> Path:
    """`codec` is "vp8" or "h264"; returns the cached file, encoding it on first use."""
    width, height = size
    path = OUT / f"{height}p30-{seconds}s-{codec}.{'webm' if codec == 'vp8' else 'mp4'}"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part" + path.suffix)
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libvpx" if codec == "vp8" else "libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = int(VIDEO_BITRATE * width * height / (HD[0] * HD[1]))
        stream.gop_size = GOP
        if codec == "vp8":
            stream.options = {"deadline": "realtime", "cpu-used": "8", "lag-in-frames": "0", "auto-alt-ref": "0"}
        else:
            stream.options = {"preset": "veryfast", "tune": "zerolatency", "profile": "baseline"}
            stream.codec_context.options = {"x264-params": "keyint=30:min-keyint=30:scenecut=0:repeat-headers=1"}
        for i in range(seconds * FPS):
            frame = av.VideoFrame.from_ndarray(_scene(i, width, height), format="rgb24")
            frame.pts = i
            frame.time_base = fractions.Fraction(1, FPS)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.rename(path)
    return path


def audio_file(seconds: int = 20) -> Path:
    path = OUT / f"opus-48k-{seconds}s.ogg"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".part.ogg")
    rate = 48000
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libopus", rate=rate)
        stream.layout = "stereo"
        stream.bit_rate = 64000
        t = np.arange(seconds * rate) / rate
        tone = (0.2 * 32767 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
        pcm = np.stack([tone, tone]).reshape(1, -1, order="F")
        chunk = 960
        for start in range(0, pcm.shape[1] // 2 - chunk, chunk):
            frame = av.AudioFrame.from_ndarray(pcm[:, start * 2 : (start + chunk) * 2], format="s16", layout="stereo")
            frame.sample_rate = rate
            frame.pts = start
            frame.time_base = fractions.Fraction(1, rate)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.rename(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    for codec in ("vp8", "h264"):
        path = video_file(codec, args.seconds)
        print(path, f"{path.stat().st_size * 8 / args.seconds / 1e6:.2f} Mbit/s")
    print(audio_file(args.seconds))


if __name__ == "__main__":
    main()
