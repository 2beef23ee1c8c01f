"""Real VP8 for relay tests: frames encoded by aiortc's encoder (libvpx through PyAV), and a
checker that depacketizes and decodes what a subscriber received, as a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import av
from aiortc.codecs.vpx import Vp8Encoder, VpxPayloadDescriptor, vp8_depayload
from aiortc.rtp import RtpPacket


class Camera:
    """One layer's encoder: a moving test picture at its own size."""

    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.encoder = Vp8Encoder()
        self.pts = 0

    def frame(self, keyframe: bool = False) -> tuple[list[bytes], int]:
        frame = av.VideoFrame(self.width, self.height, "yuv420p")
        for plane in frame.planes:
            plane.update(bytes([(self.pts // 3000 + i) % 256 for i in range(plane.buffer_size)]))
        frame.pts, frame.time_base = self.pts, Fraction(1, 90000)
        self.pts += 3000
        return self.encoder.encode(frame, force_keyframe=keyframe)


@dataclass
class Received:
    """What a subscriber got, checked and decoded in order."""

    sizes: list[tuple[int, int]] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)
    picture_ids: list[int] = field(default_factory=list)  # one per frame


def decode(packets: list[bytes]) -> Received:
    """Decode the subscriber's stream; raises if a frame cannot be decoded."""
    codec = av.CodecContext.create("vp8", "r")
    out = Received()
    frame_payload = b""
    for raw in packets:
        pkt = RtpPacket.parse(raw)
        out.seqs.append(pkt.sequence_number)
        if not frame_payload:
            out.timestamps.append(pkt.timestamp)
        data = vp8_depayload(pkt.payload)
        if not frame_payload:
            descriptor, _ = VpxPayloadDescriptor.parse(pkt.payload)
            assert descriptor.picture_id is not None
            out.picture_ids.append(descriptor.picture_id)
        frame_payload += data
        if pkt.marker:
            for frame in codec.decode(av.Packet(frame_payload)):
                out.sizes.append((frame.width, frame.height))
            frame_payload = b""
    return out
