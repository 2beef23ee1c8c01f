"""Raw VISCA framing and replies: bytes from the sources in docs/devices.md §3."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.transport.framing import iter_frames
from devices.visca.packet import (
    Ack,
    AddressSetReply,
    Completion,
    ErrorReply,
    IfClearReply,
    NetworkChange,
    Packet,
    parse_reply,
    raw_decoder,
)

h = bytes.fromhex

# (wire bytes, typed reply): ACK / completion / errors per the PTZOptics list and Sony module.
REPLIES = [
    (h("90 41 FF"), Ack(1, 1)),
    (h("90 52 FF"), Completion(1, 2)),
    (h("90 50 02 FF"), Completion(1, 0, h("02"))),  # power inquiry: on
    (h("90 50 00 00 00 00 00 00 00 00 FF"), Completion(1, 0, bytes(8))),  # pan/tilt at 0,0
    (h("90 60 01 FF"), ErrorReply(1, 0, 0x01)),  # message length
    (h("90 60 02 FF"), ErrorReply(1, 0, 0x02)),  # syntax
    (h("90 60 03 FF"), ErrorReply(1, 0, 0x03)),  # buffer full
    (h("90 61 04 FF"), ErrorReply(1, 1, 0x04)),  # cancelled
    (h("90 62 05 FF"), ErrorReply(1, 2, 0x05)),  # no socket
    (h("90 61 41 FF"), ErrorReply(1, 1, 0x41)),  # not executable
    (h("A0 41 FF"), Ack(2, 1)),  # camera 2 answers y0 with y = 2 + 8
    (h("90 38 FF"), NetworkChange(1)),
    (h("88 30 02 FF"), AddressSetReply(2)),  # viscaemu: one camera on the line
    (h("88 01 00 01 FF"), IfClearReply()),
]


@pytest.mark.parametrize(("wire", "reply"), REPLIES)
def test_replies_parse_and_serialize(wire: bytes, reply: object) -> None:
    assert parse_reply(Packet.parse(wire)) == reply
    assert reply.packet().serialize() == wire  # type: ignore[attr-defined]


def test_command_framing() -> None:
    assert Packet.command(1, h("01 04 00 02")).serialize() == h("81 01 04 00 02 FF")
    assert Packet.command(8, h("30 01")).serialize() == h("88 30 01 FF")
    assert Packet.parse(h("81 09 06 12 FF")) == Packet(0x81, h("09 06 12"))
    assert Packet.parse(h("83 09 06 12 FF")).destination == 3


@pytest.mark.parametrize("address", [0, 9])
def test_command_address_out_of_range(address: int) -> None:
    with pytest.raises(ValueError, match="1..7"):
        Packet.command(address, b"\x01")


@pytest.mark.parametrize(
    "wire",
    [h("90 FF"), h("10 41 FF"), h("90 41"), h("90 FF 41 FF"), bytes([0x81]) + bytes(15) + h("FF")],
)
def test_malformed_packets_raise_protocol_error(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        Packet.parse(wire)


@pytest.mark.parametrize(
    "wire", [h("90 43 FF"), h("90 70 FF"), h("88 30 09 FF"), h("88 02 FF"), h("95 41 FF")]
)
def test_unknown_replies_raise_protocol_error(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        parse_reply(Packet.parse(wire))


def test_serialize_refuses_what_cannot_be_framed() -> None:
    with pytest.raises(ValueError):
        Packet(0x81, h("01 FF")).serialize()
    with pytest.raises(ValueError):
        Packet(0x81, bytes(15)).serialize()


STREAM = h("90 41 FF 90 51 FF 90 50 02 FF")
PACKETS = [Packet(0x90, h("41")), Packet(0x90, h("51")), Packet(0x90, h("50 02"))]


def decode(data: bytes) -> list[object]:
    decoder = raw_decoder()
    return [item if isinstance(item, Packet) else "junk" for item in iter_frames(decoder, data)]


def test_decoder_whole_and_byte_by_byte() -> None:
    assert decode(STREAM) == PACKETS
    decoder = raw_decoder()
    out: list[object] = []
    for byte in STREAM:
        out += [item for item in iter_frames(decoder, bytes([byte]))]
    assert out == PACKETS


def test_decoder_with_junk_before_between_and_after() -> None:
    data = h("00 12") + STREAM[:3] + h("34") + STREAM[3:] + h("56 78")
    assert decode(data) == ["junk", PACKETS[0], "junk", *PACKETS[1:], "junk"]


def test_decoder_drops_an_overlong_packet_and_resyncs() -> None:
    assert decode(h("90") + bytes(20) + h("90 41 FF")) == ["junk", PACKETS[0]]


@given(st.binary(max_size=120))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    decoder = raw_decoder()
    for item in iter_frames(decoder, data):
        if isinstance(item, Packet):
            try:
                parse_reply(item)
            except ProtocolError:
                pass


@given(st.lists(st.sampled_from([wire for wire, _ in REPLIES]), max_size=10), st.binary(max_size=5))
def test_reply_stream_round_trips_with_trailing_junk(wires: list[bytes], junk: bytes) -> None:
    junk = bytes(b & 0x7F for b in junk)  # bytes that cannot start a packet
    frames = [item for item in decode(b"".join(wires) + junk) if item != "junk"]
    assert frames == [Packet.parse(w) for w in wires]
