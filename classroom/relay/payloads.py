"""Where a subscriber may start receiving a stream, read from the RTP payload alone.

A subscriber that joins, or that dropped packets because it could not keep up, must start at
a packet from which its decoder can decode: a key frame's first packet for video, any packet
for audio. This module answers that question per codec without depacketizing the frame.
"""

from __future__ import annotations

from typing import Callable

StartPredicate = Callable[[bytes], bool]


def vp8_descriptor_size(payload: bytes) -> int | None:
    """Length of the VP8 payload descriptor (RFC 7741 §4.2), None when the packet is too short."""
    if len(payload) < 1:
        return None
    i = 1
    if payload[0] & 0x80:  # X: extended control bits follow
        if len(payload) < 2:
            return None
        x = payload[1]
        i = 2
        if x & 0x80:  # I: PictureID, 7 or 15 bits (M flag)
            if len(payload) <= i:
                return None
            i += 2 if payload[i] & 0x80 else 1
        if x & 0x40:  # L: TL0PICIDX
            i += 1
        if x & 0x30:  # T or K: TID/Y/KEYIDX byte
            i += 1
    return i if len(payload) > i else None


def vp8_frame_start(payload: bytes) -> bool:
    """True for the first packet of a VP8 frame: S set, partition index 0."""
    return len(payload) >= 1 and bool(payload[0] & 0x10) and not payload[0] & 0x07


def vp8_keyframe_start(payload: bytes) -> bool:
    """True for the first packet of a VP8 key frame (RFC 7741 §4.2 and §4.3)."""
    if not vp8_frame_start(payload):
        return False
    i = vp8_descriptor_size(payload)
    # VP8 payload header: P bit (bit 0) is 0 for a key frame (RFC 6386 §9.1).
    return i is not None and not payload[i] & 0x01


_H264_IDR = 5
_H264_SPS = 7
_H264_STAP_A = 24
_H264_FU_A = 28


def h264_keyframe_start(payload: bytes) -> bool:
    """True for a packet that opens an H.264 key frame: it carries the SPS, or the IDR's start.

    Browsers send SPS and PPS ahead of every IDR (often in one STAP-A), so starting a
    subscriber at the SPS gives its decoder everything it needs (RFC 6184 §5.7, §5.8).
    """
    if len(payload) < 1:
        return False
    nal_type = payload[0] & 0x1F
    if nal_type in (_H264_SPS, _H264_IDR):
        return True
    if nal_type == _H264_STAP_A:
        i = 1
        while i + 2 < len(payload):
            size = (payload[i] << 8) | payload[i + 1]
            if size == 0:
                return False
            if payload[i + 2] & 0x1F in (_H264_SPS, _H264_IDR):
                return True
            i += 2 + size
        return False
    if nal_type == _H264_FU_A and len(payload) >= 2:
        fu_header = payload[1]
        return bool(fu_header & 0x80) and (fu_header & 0x1F) == _H264_IDR
    return False


def any_packet(payload: bytes) -> bool:
    """Audio: every packet can be decoded on its own."""
    return True


START_PREDICATES: dict[str, StartPredicate] = {
    "video/vp8": vp8_keyframe_start,
    "video/h264": h264_keyframe_start,
    "audio/opus": any_packet,
}


def start_predicate(mime_type: str) -> StartPredicate:
    """The predicate for a codec; raises KeyError for a codec the relay does not forward."""
    return START_PREDICATES[mime_type.lower()]
