"""RTP packets back into the codec's frames, for writing them to a file as they are (sans-I/O).

The recorder sees the packets the relay forwards: possibly reordered, sometimes lost (aiortc's
receiver NACKs the publisher, so a retransmission may come late). A `Depacketizer` puts them
back in sequence order, joins the packets of one frame (RFC 7741 for VP8, RFC 6184 for H.264;
an Opus packet is a frame) and hands out whole frames only. When a frame is lost for good,
video frames after it cannot be decoded until the next key frame: the depacketizer drops them
and sets `needs_keyframe`, so that the caller asks the publisher for one.

Nothing is decoded: the payload bytes are only cut and joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from classroom.relay.payloads import (
    h264_keyframe_start,
    vp8_descriptor_size,
    vp8_frame_start,
    vp8_keyframe_start,
)
from classroom.relay.rewriter import seq_newer

_START_CODE = b"\x00\x00\x00\x01"
_H264_STAP_A = 24
_H264_FU_A = 28
_H264_IDR = 5


@dataclass(frozen=True)
class Frame:
    """One frame of the codec, with its RTP timestamp (not unwrapped)."""

    ts: int
    data: bytes
    keyframe: bool


@dataclass
class _Packet:
    ts: int
    marker: bool
    payload: bytes


class Depacketizer:
    """Reorders packets and joins them into frames; subclasses know the codec."""

    #: Audio packets are frames on their own; video frames end at the marker bit.
    one_packet_frames = False

    def __init__(self, clock_rate: int, max_wait: float = 0.3):
        """`max_wait`: how long (media time) a gap may stay open waiting for a retransmission."""
        self._max_wait_ticks = int(clock_rate * max_wait)
        self._pending: dict[int, _Packet] = {}
        self._next_seq: int | None = None  # first packet of the next frame to hand out
        self.needs_keyframe = True
        self.frames_dropped = 0

    # ---- codec specifics --------------------------------------------------------------------

    def is_keyframe_start(self, payload: bytes) -> bool:
        raise NotImplementedError

    def is_frame_start(self, payload: bytes) -> bool:
        return True

    def join(self, payloads: list[bytes]) -> bytes | None:
        """The frame's bytes from its packets' payloads; None when they are malformed."""
        raise NotImplementedError

    # ---- the reassembly ----------------------------------------------------------------------

    def push(self, seq: int, ts: int, marker: bool, payload: bytes) -> list[Frame]:
        """Take one packet; the frames it completes, in order."""
        if self._next_seq is not None and not seq_newer(seq, self._next_seq) and seq != self._next_seq:
            return []  # older than what was handed out: a late duplicate
        self._pending[seq] = _Packet(ts, marker, payload)
        if self._next_seq is None and not self._sync():
            return []
        frames = self._drain()
        if self._pending and self._gap_too_old(ts):
            self._give_up_gap()
            frames += self._drain()
        return frames

    def _sync(self) -> bool:
        """Start (again) at the oldest key frame start pending; False when there is none."""
        starts = [s for s, p in self._pending.items() if self.is_keyframe_start(p.payload)]
        if not starts:
            self._trim()
            return False
        first = starts[0]
        for s in starts[1:]:
            if seq_newer(first, s):
                first = s
        for s in list(self._pending):
            if seq_newer(first, s):
                del self._pending[s]
        self._next_seq = first
        self.needs_keyframe = False
        return True

    def _trim(self) -> None:
        """While waiting for a key frame, keep only the newest packets."""
        if len(self._pending) > 1024:
            newest = max(self._pending.values(), key=lambda p: p.ts).ts
            for s, p in list(self._pending.items()):
                if ((newest - p.ts) & 0xFFFFFFFF) > self._max_wait_ticks:
                    del self._pending[s]

    def _drain(self) -> list[Frame]:
        frames: list[Frame] = []
        while self._next_seq is not None:
            frame_seqs = self._complete_frame(self._next_seq)
            if frame_seqs is None:
                break
            packets = [self._pending.pop(s) for s in frame_seqs]
            self._next_seq = (frame_seqs[-1] + 1) & 0xFFFF
            if not self.is_frame_start(packets[0].payload):
                self._lost()
                continue
            data = self.join([p.payload for p in packets])
            if data is None:
                self._lost()
                continue
            frames.append(Frame(packets[0].ts, data, self.is_keyframe_start(packets[0].payload)))
        return frames

    def _complete_frame(self, start: int) -> list[int] | None:
        """The sequence numbers of the frame starting at `start`, if all have arrived."""
        seqs: list[int] = []
        seq = start
        first = self._pending.get(start)
        if first is None:
            return None
        while True:
            packet = self._pending.get(seq)
            if packet is None:
                return None
            if packet.ts != first.ts:  # the marker packet was lost: the frame cannot be whole
                return seqs or None
            seqs.append(seq)
            if packet.marker or self.one_packet_frames:
                return seqs
            seq = (seq + 1) & 0xFFFF

    def _gap_too_old(self, newest_ts: int) -> bool:
        """True when a packet has waited for a missing one longer than `max_wait`."""
        age = max(((newest_ts - p.ts) & 0xFFFFFFFF) for p in self._pending.values())
        return self._max_wait_ticks < age < 1 << 31

    def _give_up_gap(self) -> None:
        """A packet never came: skip to what can be decoded without it."""
        stuck = self._pending.get(self._next_seq) if self._next_seq is not None else None
        if stuck is not None and not self.one_packet_frames:
            # The frame waiting at the head will never be whole: drop its packets, or the
            # next sync would start at it again (a key frame) and wait forever.
            for s, p in list(self._pending.items()):
                if p.ts == stuck.ts:
                    del self._pending[s]
        self._lost()
        if self.one_packet_frames:
            oldest = None
            for s in self._pending:
                if oldest is None or seq_newer(oldest, s):
                    oldest = s
            self._next_seq = oldest

    def _lost(self) -> None:
        """A frame is lost: video waits for the next key frame, audio goes on."""
        self.frames_dropped += 1
        if not self.one_packet_frames:
            self.needs_keyframe = True
            self._next_seq = None
            self._sync()


class Vp8Depacketizer(Depacketizer):
    """RFC 7741: strip each packet's payload descriptor, concatenate."""

    def is_keyframe_start(self, payload: bytes) -> bool:
        return vp8_keyframe_start(payload)

    def is_frame_start(self, payload: bytes) -> bool:
        return vp8_frame_start(payload)

    def join(self, payloads: list[bytes]) -> bytes | None:
        parts = []
        for payload in payloads:
            size = vp8_descriptor_size(payload)
            if size is None:
                return None
            parts.append(payload[size:])
        return b"".join(parts)


class H264Depacketizer(Depacketizer):
    """RFC 6184 (packetization mode 1): single NAL units, STAP-A and FU-A to Annex B."""

    def is_keyframe_start(self, payload: bytes) -> bool:
        return h264_keyframe_start(payload)

    def is_frame_start(self, payload: bytes) -> bool:
        if not payload:
            return False
        if payload[0] & 0x1F == _H264_FU_A:
            return len(payload) >= 2 and bool(payload[1] & 0x80)
        return True

    def join(self, payloads: list[bytes]) -> bytes | None:
        out = bytearray()
        in_fu = False
        for payload in payloads:
            if not payload:
                return None
            nal_type = payload[0] & 0x1F
            if 1 <= nal_type <= 23:
                out += _START_CODE + payload
            elif nal_type == _H264_STAP_A:
                i = 1
                while i + 2 <= len(payload):
                    size = (payload[i] << 8) | payload[i + 1]
                    if size == 0 or i + 2 + size > len(payload):
                        return None
                    out += _START_CODE + payload[i + 2 : i + 2 + size]
                    i += 2 + size
            elif nal_type == _H264_FU_A:
                if len(payload) < 2:
                    return None
                fu = payload[1]
                if fu & 0x80:
                    out += _START_CODE + bytes([(payload[0] & 0xE0) | (fu & 0x1F)])
                    in_fu = True
                elif not in_fu:
                    return None
                out += payload[2:]
                if fu & 0x40:
                    in_fu = False
            else:
                return None  # STAP-B, MTAP, FU-B: not in packetization mode 1
        return bytes(out) if out else None


class OpusDepacketizer(Depacketizer):
    """RFC 7587: one Opus packet per RTP packet, every one decodable on its own."""

    one_packet_frames = True

    def __init__(self, clock_rate: int = 48000, max_wait: float = 0.2):
        super().__init__(clock_rate, max_wait)

    def is_keyframe_start(self, payload: bytes) -> bool:
        return True

    def join(self, payloads: list[bytes]) -> bytes | None:
        return payloads[0] if payloads[0] else None


DEPACKETIZERS: dict[str, Callable[[int], Depacketizer]] = {
    "video/vp8": Vp8Depacketizer,
    "video/h264": H264Depacketizer,
    "audio/opus": OpusDepacketizer,
}


def depacketizer_for(mime_type: str, clock_rate: int) -> Depacketizer:
    """The depacketizer of a codec; KeyError for one the recorder does not write."""
    return DEPACKETIZERS[mime_type.lower()](clock_rate)


def vp8_size(keyframe: bytes) -> tuple[int, int] | None:
    """(width, height) from a VP8 key frame's header (RFC 6386 §9.1), None if not one."""
    if len(keyframe) < 10 or keyframe[0] & 0x01 or keyframe[3:6] != b"\x9d\x01\x2a":
        return None
    width = int.from_bytes(keyframe[6:8], "little") & 0x3FFF
    height = int.from_bytes(keyframe[8:10], "little") & 0x3FFF
    return width, height


class _Bits:
    """An H.264 RBSP read bit by bit (Exp-Golomb codes, ITU-T H.264 §9.1)."""

    def __init__(self, rbsp: bytes):
        self._data = rbsp
        self._pos = 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self._data[self._pos >> 3]  # IndexError past the end: a truncated SPS
            value = (value << 1) | ((byte >> (7 - (self._pos & 7))) & 1)
            self._pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise ValueError("bad Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k & 1 else -(k // 2)


_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


def _nal_units(annex_b: bytes) -> list[bytes]:
    return [n.lstrip(b"\x00") for n in annex_b.split(b"\x00\x00\x01") if n.strip(b"\x00")]


def h264_size(access_unit: bytes) -> tuple[int, int] | None:
    """(width, height) from the SPS in an Annex B access unit (H.264 §7.3.2.1.1), None if none."""
    for nal in _nal_units(access_unit):
        if nal[0] & 0x1F != 7:
            continue
        rbsp = nal[1:].replace(b"\x00\x00\x03", b"\x00\x00")
        try:
            return _sps_size(_Bits(rbsp))
        except (IndexError, ValueError):
            return None
    return None


def _sps_size(b: _Bits) -> tuple[int, int]:
    profile = b.u(8)
    b.u(16)  # constraint flags, level
    b.ue()  # seq_parameter_set_id
    chroma_format = 1
    if profile in _HIGH_PROFILES:
        chroma_format = b.ue()
        if chroma_format == 3:
            b.u(1)
        b.ue()
        b.ue()
        b.u(1)
        if b.u(1):  # seq_scaling_matrix_present_flag
            for i in range(8 if chroma_format != 3 else 12):
                if b.u(1):
                    last = nxt = 8
                    for _ in range(16 if i < 6 else 64):
                        if nxt:
                            nxt = (last + b.se() + 256) % 256
                        last = nxt or last
    b.ue()  # log2_max_frame_num_minus4
    poc_type = b.ue()
    if poc_type == 0:
        b.ue()
    elif poc_type == 1:
        b.u(1)
        b.se()
        b.se()
        for _ in range(b.ue()):
            b.se()
    b.ue()  # max_num_ref_frames
    b.u(1)
    width_mbs = b.ue() + 1
    height_units = b.ue() + 1
    frame_mbs_only = b.u(1)
    if not frame_mbs_only:
        b.u(1)
    b.u(1)
    width = width_mbs * 16
    height = (2 - frame_mbs_only) * height_units * 16
    if b.u(1):  # frame_cropping_flag
        left, right, top, bottom = b.ue(), b.ue(), b.ue(), b.ue()
        crop_x = 1 if chroma_format in (0, 3) else 2
        crop_y = (2 - frame_mbs_only) * (2 if chroma_format == 1 else 1)
        width -= crop_x * (left + right)
        height -= crop_y * (top + bottom)
    return width, height
