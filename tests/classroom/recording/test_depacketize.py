"""The depacketizers on real packets from aiortc's encoders: frames whole, in order, decodable."""

from __future__ import annotations

import random

import av
import pytest

from classroom.recording.depacketize import (
    Frame,
    H264Depacketizer,
    OpusDepacketizer,
    Vp8Depacketizer,
    depacketizer_for,
    h264_size,
    vp8_size,
)
from tests.support.rtp_media import CLOCK, RtpPacket, opus_head, rtp_packets

DECODER = {"video/VP8": "vp8", "video/H264": "h264", "audio/opus": "opus"}


def feed(dep, packets: list[RtpPacket]) -> list[Frame]:
    out: list[Frame] = []
    for p in packets:
        out += dep.push(p.seq, p.ts, p.marker, p.payload)
    return out


def decode_all(mime: str, frames: list[Frame]) -> int:
    """How many of the frames a real decoder takes without error (tests may decode)."""
    ctx = av.CodecContext.create(DECODER[mime], "r")
    if mime == "audio/opus":
        ctx.extradata = opus_head(2)
    decoded = 0
    for frame in frames:
        decoded += len(ctx.decode(av.Packet(frame.data)))
    return decoded


@pytest.mark.parametrize("mime", ["video/VP8", "video/H264"])
def test_video_in_order_gives_every_frame_decodable(mime):
    per_frame = list(rtp_packets(mime, 40, width=1280, height=720))
    assert max(len(f) for f in per_frame) > 1  # key frames span several packets
    dep = depacketizer_for(mime, CLOCK[mime])
    frames = feed(dep, [p for f in per_frame for p in f])
    assert [f.ts for f in frames] == [f[0].ts for f in per_frame]
    assert frames[0].keyframe and frames[30].keyframe and not frames[1].keyframe
    assert decode_all(mime, frames) >= 39  # a decoder may hold back the last frame
    assert dep.frames_dropped == 0 and not dep.needs_keyframe


@pytest.mark.parametrize("mime", ["video/VP8", "video/H264"])
def test_reordered_packets_within_a_frame_and_across_frames(mime):
    per_frame = list(rtp_packets(mime, 30, width=1280, height=720))
    packets = [p for f in per_frame for p in f]
    rng = random.Random(7)
    shuffled = packets[:]
    for i in range(0, len(shuffled) - 4, 4):  # swap neighbours: reordering, not loss
        window = shuffled[i : i + 4]
        rng.shuffle(window)
        shuffled[i : i + 4] = window
    frames = feed(depacketizer_for(mime, CLOCK[mime]), shuffled)
    assert [f.ts for f in frames] == [f[0].ts for f in per_frame]


def test_a_lost_packet_drops_frames_until_the_next_key_frame_and_asks_for_one():
    per_frame = list(rtp_packets("video/VP8", 70, width=1280, height=720, keyframe_every=30))
    lost = per_frame[10][0]  # the first packet of frame 10
    dep = Vp8Depacketizer(90000)
    frames: list[Frame] = []
    asked = False
    for p in (p for f in per_frame for p in f if p is not lost):
        frames += dep.push(p.seq, p.ts, p.marker, p.payload)
        asked = asked or dep.needs_keyframe
    kept = [f.ts for f in frames]
    assert kept[:10] == [f[0].ts for f in per_frame[:10]]
    assert per_frame[10][0].ts not in kept and per_frame[20][0].ts not in kept
    assert kept[10] == per_frame[30][0].ts  # resumes at the key frame
    assert asked and dep.frames_dropped >= 1
    assert decode_all("video/VP8", frames) == len(frames)


def test_a_retransmission_arriving_late_is_used():
    per_frame = list(rtp_packets("video/VP8", 10))
    packets = [p for f in per_frame for p in f]
    late = packets.pop(3)
    packets.insert(6, late)  # three frames later, well within the wait
    frames = feed(Vp8Depacketizer(90000), packets)
    assert len(frames) == 10


def test_duplicates_and_sequence_wrap_around():
    per_frame = list(rtp_packets("video/VP8", 20, first_seq=65530, first_ts=(1 << 32) - 6000))
    packets = [p for f in per_frame for p in f]
    doubled = [q for p in packets for q in (p, p)]
    frames = feed(Vp8Depacketizer(90000), doubled)
    assert len(frames) == 20


def test_waits_for_a_key_frame_before_the_first_frame():
    per_frame = list(rtp_packets("video/H264", 40, keyframe_every=25))
    frames = feed(H264Depacketizer(90000), [p for f in per_frame[5:] for p in f])
    assert frames[0].ts == per_frame[25][0].ts and frames[0].keyframe


def test_opus_reorders_and_skips_a_lost_packet_after_the_wait():
    per_frame = list(rtp_packets("audio/opus", 50))
    packets = [f[0] for f in per_frame]
    packets[4], packets[5] = packets[5], packets[4]
    del packets[20]
    dep = OpusDepacketizer()
    frames = feed(dep, packets)
    assert len(frames) == 49 and dep.frames_dropped == 1
    assert [f.ts for f in frames] == sorted(f.ts for f in frames)
    assert decode_all("audio/opus", frames) == 49


def test_malformed_payloads_are_dropped_not_raised():
    dep = H264Depacketizer(90000)
    assert dep.push(1, 0, True, b"\x67") == [Frame(0, b"\x00\x00\x00\x01\x67", True)]
    assert dep.push(2, 3000, True, b"\x7c") == []  # FU-A without its header
    assert dep.push(3, 6000, True, b"\x78\x00\x05\x67") == []  # STAP-A longer than the packet
    vp8 = Vp8Depacketizer(90000)
    assert vp8.push(1, 0, True, b"") == []


def test_vp8_size():
    key = next(iter(feed(Vp8Depacketizer(90000), next(rtp_packets("video/VP8", 1, width=640, height=360)))))
    assert vp8_size(key.data) == (640, 360)
    assert vp8_size(b"\x01" * 10) is None


@pytest.mark.parametrize("size", [(320, 240), (1280, 720), (640, 360), (1920, 1080)])
def test_h264_size_from_the_sps(size):
    key = feed(H264Depacketizer(90000), next(rtp_packets("video/H264", 1, width=size[0], height=size[1])))[0]
    assert h264_size(key.data) == size
    assert h264_size(b"\x00\x00\x00\x01\x67\x42") is None
    assert h264_size(b"\x00\x00\x00\x01\x65\x88") is None


@pytest.mark.parametrize("mime", ["video/VP8", "video/H264"])
def test_a_key_frame_missing_a_packet_for_good_is_given_up_for_the_next_one(mime):
    """The key frame's first packet arrived, a later one never does: after the wait the frame
    is dropped (not waited for forever) and recording goes on from the next key frame."""
    per_frame = list(rtp_packets(mime, 70, width=1280, height=720, keyframe_every=30, noise=True))
    assert len(per_frame[30]) > 2
    lost = per_frame[30][1]  # inside key frame 30
    dep = depacketizer_for(mime, CLOCK[mime])
    frames = feed(dep, [p for f in per_frame for p in f if p is not lost])
    kept, sent = [f.ts for f in frames], [f[0].ts for f in per_frame]
    assert kept[:30] == sent[:30]
    resumed = sent.index(kept[30])  # the next key frame (the encoder may add one of its own)
    assert frames[30].keyframe and 30 < resumed <= 60
    assert kept[30:] == sent[resumed:] and dep.frames_dropped >= 1
    assert len(dep._pending) < 50  # nothing piles up behind the lost packet
