"""The home ↔ shard datagram format: round trips at the edges of every field, and refusals."""

import struct

import pytest

from classroom.relay.shards import wire
from classroom.relay.shards.wire import (
    Adapt,
    Candidate,
    Continuity,
    Link,
    MediaPacket,
    Offer,
    SaveData,
    SenderReport,
    Subscribe,
    TrackOpen,
    ViewSizes,
    WireError,
    decode,
    encode_control,
    encode_packet,
)


@pytest.mark.parametrize(
    "fields",
    [
        (0, 0, 0, False, False, 0.0, b""),
        (0xFFFFFFFF, 0xFFFF, 0xFFFFFFFF, True, True, 12345.678901234, bytes(range(256)) * 5),
        (7, 65535, 1, True, False, 1e9, b"\x10\x00\xaa"),
        (7, 1, 2, False, True, 0.5, b"x"),
    ],
)
def test_packet_round_trip(fields):
    assert decode(encode_packet(*fields)) == MediaPacket(*fields)


@pytest.mark.parametrize(
    "message",
    [
        TrackOpen(track=1, track_id="cam", mime_type="video/H264", clock_rate=90000,
                  parameters=(("profile-level-id", "42e01f"), ("packetization-mode", "1"))),
        TrackOpen(track=2, track_id="mic", mime_type="audio/opus", clock_rate=48000, channels=2),
        SenderReport(track=3, ntp=(1 << 64) - 1, rtp=(1 << 32) - 1, arrival=17.25),
        Subscribe(peer="p1", publisher="lecturer", track_id="cam", track=1, stream_id="s",
                  continuity=Continuity(last_out_seq=65535, last_out_ts=0, last_out_time=None)),
        Offer(peer="p1", sdp="v=0\r\n", announced=(("0", "lecturer", "cam"), ("1", "lecturer", "mic")), fresh=True),
        Candidate(request=4, peer="p1", candidate=None, sdp_mid=None, index=0),
        Adapt(peer="p1", publisher="lecturer", track_id="cam", layers=(("high", 1), ("low", 0xFFFFFFFF)), priority=3),
        ViewSizes(peer="p1", tiles=(("cam", 0, 0), ("screen", 7680, 4320))),
        SaveData(peer="p1", on=True),
        Link(peer="p1", quality="poor", reduced=True, estimate_kbps=None,
             tracks=(("lecturer", "cam", "paused"),), camera="paused", counts=(("paused", 1), ("low", 0))),
        Link(peer="p1", quality="good", reduced=False, estimate_kbps=2500, tracks=(), counts=()),
    ],
)  # fmt: skip
def test_control_round_trip(message):
    assert decode(encode_control(message)) == message


@pytest.mark.parametrize(
    "datagram, why",
    [
        (b"", "empty"),
        (b"\x07abc", "unknown datagram type"),
        (encode_packet(1, 2, 3, False, False, 0.0, b"")[:-1], "shorter than its header"),
        (struct.pack("!BIHIBd", 1, 1, 2, 3, 0x04, 0.0), "unknown packet flags"),
        (b"\x02{not json", "malformed"),
        (b'\x02{"t":"adapt","peer":"p","publisher":"l","track_id":"c","layers":[["huge",1]],"priority":3}', "malformed"),
        (b'\x02{"t":"link","peer":"p","quality":"good","reduced":false,"tracks":[],"counts":[["low",-1]]}', "malformed"),
        (b'\x02{"t":"track_closed"}', "malformed"),
        (b'\x02{"t":"track_closed","track":-1}', "malformed"),
        (b'\x02{"t":"track_closed","track":1,"extra":2}', "malformed"),
        (b'\x02{"t":"track_closed","track":"1"}', "malformed"),
        (b'\x02{"t":"nope"}', "malformed"),
        (b'\x02[1,2]', "malformed"),
        (b"\x02" + b" " * wire.MAX_DATAGRAM, "exceeds"),
    ],
)
def test_refuses_what_is_not_a_message(datagram, why):
    with pytest.raises(WireError, match=why):
        decode(datagram)


def test_refuses_to_encode_an_oversized_control_message():
    with pytest.raises(WireError, match="exceeds"):
        encode_control(Offer(peer="p", sdp="a" * 60_000, announced=tuple(("m", "p" * 100, "t" * 200) for _ in range(500)), fresh=False))
