"""The picture trainees see while the room camera's stream is down.

It is one H.264 key frame (constrained baseline, SPS and PPS in front) made once with
`python -m signaling.agent.placeholder` and shipped beside this module, so that the agent
sends it without ever creating an encoder: passthrough stays free of codecs even while the
camera is away. Every copy is a key frame, so a viewer can start on any of them.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av

FILE = Path(__file__).with_name("placeholder.h264")
TEXT = ("Camera phòng học tạm mất tín hiệu", "Room camera signal lost")
SIZE = (640, 360)


def placeholder_packet(pts: int, time_base: Fraction = Fraction(1, 90000)) -> av.Packet:
    packet = av.Packet(_bitstream())
    packet.pts = pts
    packet.dts = pts
    packet.time_base = time_base
    return packet


_cached: bytes | None = None


def _bitstream() -> bytes:
    global _cached
    if _cached is None:
        _cached = FILE.read_bytes()
    return _cached


def make(font: str = "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf") -> bytes:
    """Draw the text and encode it as one constrained-baseline key frame (a build step)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", SIZE, (32, 36, 44))
    draw = ImageDraw.Draw(image)
    big, small = ImageFont.truetype(font, 30), ImageFont.truetype(font, 22)
    draw.text((SIZE[0] // 2, 160), TEXT[0], font=big, fill=(240, 240, 240), anchor="mm")
    draw.text((SIZE[0] // 2, 210), TEXT[1], font=small, fill=(180, 190, 200), anchor="mm")
    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height = SIZE
    codec.pix_fmt = "yuv420p"
    codec.time_base = Fraction(1, 30)
    codec.options = {"profile": "baseline", "level": "30", "tune": "stillimage", "crf": "28", "x264-params": "keyint=1"}
    frame = av.VideoFrame.from_image(image).reformat(format="yuv420p")
    frame.pts = 0
    data = b"".join(bytes(p) for p in codec.encode(frame)) + b"".join(bytes(p) for p in codec.encode(None))
    return data


if __name__ == "__main__":
    FILE.write_bytes(make())
    print(f"wrote {FILE} ({FILE.stat().st_size} bytes)")
