"""VISCA-over-IP header: bytes from the Sony module / ptzsim, decoder, property tests."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.transport.framing import iter_frames
from devices.visca.errors import ControlErrorCode
from devices.visca.ip import IpDecoder, IpPacket, PayloadType
from devices.visca.packet import Packet

h = bytes.fromhex


def test_sequence_reset_bytes() -> None:
    # Sony's resetSequenceNumber: type 0200, length 0001, seq 0, payload 01.
    assert IpPacket.reset(0).serialize() == h("02 00 00 01 00 00 00 00 01")
    reply = IpPacket.parse(h("02 01 00 01 00 00 00 00 01"))
    assert (reply.kind, reply.payload) == (PayloadType.CONTROL_REPLY, b"\x01")
    assert reply.control_error_code is None


def test_command_and_reply_round_trip() -> None:
    command = IpPacket(PayloadType.COMMAND, 0x01020304, h("81 01 04 00 02 FF"))
    wire = command.serialize()
    assert wire == h("01 00 00 06 01 02 03 04 81 01 04 00 02 FF")
    assert IpPacket.parse(wire) == command
    assert command.visca == Packet(0x81, h("01 04 00 02"))
    inquiry = IpPacket.parse(h("01 10 00 05 00 00 00 07 81 09 04 00 FF"))
    assert inquiry.kind is PayloadType.INQUIRY
    reply = IpPacket.parse(h("01 11 00 04 00 00 00 07 90 50 02 FF"))
    assert (reply.kind, reply.seq) == (PayloadType.REPLY, 7)


@pytest.mark.parametrize("code", list(ControlErrorCode))
def test_control_errors(code: ControlErrorCode) -> None:
    wire = IpPacket.control_error(9, code).serialize()
    assert wire == h("02 01 00 02 00 00 00 09 0F") + bytes([code])
    assert IpPacket.parse(wire).control_error_code == code


@pytest.mark.parametrize(
    "wire",
    [
        h("01 00 00 06"),  # shorter than a header
        h("03 00 00 01 00 00 00 00 01"),  # unknown type
        h("01 00 00 05 00 00 00 00 81 01 04 00 02 FF"),  # length does not match
        h("01 00 00 03 00 00 00 00 81 01 04"),  # VISCA payload without FF
        h("02 00 00 01 00 00 00 00 07"),  # unknown control payload
    ],
)
def test_malformed_packets(wire: bytes) -> None:
    with pytest.raises(ProtocolError):
        IpPacket.parse(wire)


def test_serialize_refuses_bad_values() -> None:
    with pytest.raises(ValueError):
        IpPacket(PayloadType.COMMAND, 1 << 32, h("81 01 FF")).serialize()
    with pytest.raises(ValueError):
        IpPacket(PayloadType.COMMAND, 0, b"").serialize()


STREAM = h("01 11 00 03 00 00 00 01 90 41 FF 01 11 00 03 00 00 00 01 90 51 FF")


def decode(data: bytes, decoder: IpDecoder | None = None) -> list[object]:
    decoder = decoder or IpDecoder()
    return [p if isinstance(p, IpPacket) else "junk" for p in iter_frames(decoder, data)]


def test_decoder_whole_byte_by_byte_and_with_junk() -> None:
    whole = decode(STREAM)
    assert [p.payload for p in whole if isinstance(p, IpPacket)] == [h("90 41 FF"), h("90 51 FF")]
    decoder = IpDecoder()
    assert [item for byte in STREAM for item in decode(bytes([byte]), decoder)] == whole
    assert decoder.buffered == 0
    assert decode(h("00 07") + STREAM[:11] + h("33") + STREAM[11:]) == [
        "junk",
        whole[0],
        "junk",
        whole[1],
    ]


@given(st.binary(max_size=100))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    for item in iter_frames(IpDecoder(), data):
        assert isinstance(item, (IpPacket, ProtocolError))


@given(st.integers(0, (1 << 32) - 1), st.sampled_from(list(PayloadType)))
def test_round_trip_any_sequence_number(seq: int, kind: PayloadType) -> None:
    payload = h("81 01 06 04 FF") if kind.carries_visca else b"\x01"
    packet = IpPacket(kind, seq, payload)
    assert IpPacket.parse(packet.serialize()) == packet
