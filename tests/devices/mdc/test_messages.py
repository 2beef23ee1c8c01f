"""MDC frames: bytes from the sources, round trips, whole/byte-by-byte, junk, fuzz, and a
cross-check against the third-party python-samsung-mdc packer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from samsung_mdc.connection import pack_payload, pack_response

from devices.errors import DeviceRefused
from devices.mdc.errors import MdcNak, MdcProtocolError
from devices.mdc.messages import (
    BROADCAST_ID,
    Command,
    Request,
    RequestDecoder,
    Response,
    ResponseDecoder,
    checksum,
)

# PlaceOS drivers/samsung/displays/md_series_spec.cr: volume 24, its ACK, and a status query/reply.
VOLUME_24 = bytes.fromhex("AA 12 00 01 18 2B")
VOLUME_24_ACK = bytes.fromhex("AA FF 00 03 41 12 18 6D")
STATUS_QUERY = bytes.fromhex("AA 00 00 00 00")
STATUS_REPLY = bytes.fromhex("AA FF 00 09 41 00 01 06 00 14 00 00 00 64")


def test_bytes_from_the_spec() -> None:
    assert Request(Command.VOLUME, 0, b"\x18").serialize() == VOLUME_24
    assert Request.parse(VOLUME_24) == Request(Command.VOLUME, 0, b"\x18")
    assert Response(Command.VOLUME, 0, True, b"\x18").serialize() == VOLUME_24_ACK
    assert Response.parse(VOLUME_24_ACK) == Response(Command.VOLUME, 0, True, b"\x18")
    assert Request(Command.STATUS, 0).serialize() == STATUS_QUERY
    assert Response.parse(STATUS_REPLY).data == bytes.fromhex("01 06 00 14 00 00 00")
    assert checksum(bytes.fromhex("12 00 01 18")) == 0x2B


def test_nak() -> None:
    nak = Response.nak(Command.POWER, 3, 0x01)
    assert nak.serialize() == bytes.fromhex("AA FF 03 03 4E 11 01 65")
    assert nak.serialize() == pack_response(Command.POWER, 3, False, b"\x01")
    with pytest.raises(MdcNak) as caught:
        Response.parse(nak.serialize()).result()
    assert isinstance(caught.value, DeviceRefused)
    assert (caught.value.command, caught.value.code) == (0x11, 0x01)
    assert Response(Command.POWER, 3, True, b"\x01").result() == b"\x01"


def test_broadcast_expects_no_reply() -> None:
    assert not Request(Command.POWER, BROADCAST_ID, b"\x01").expects_reply
    assert Request(Command.POWER, 253, b"\x01").expects_reply


def test_constructors_validate() -> None:
    for bad in (
        lambda: Request(0x100, 0),
        lambda: Request(0xFF, 0),
        lambda: Request(0x11, 255),
        lambda: Request(0x11, 0, bytes(256)),
        lambda: Response(0x11, BROADCAST_ID),
        lambda: Response(0x11, 0, False, b""),
        lambda: Response(0x11, 0, True, bytes(254)),
    ):
        with pytest.raises(MdcProtocolError):
            bad()


@pytest.mark.parametrize(
    "bad",
    [
        bytes.fromhex("AA 12 00 01 18 2C"),  # checksum
        bytes.fromhex("AA 12 00 02 18 2B"),  # length beyond the frame
        bytes.fromhex("AB 12 00 01 18 2B"),
    ],  # header
)
def test_parse_rejects(bad: bytes) -> None:
    with pytest.raises(MdcProtocolError):
        Request.parse(bad)


def test_direction_is_checked() -> None:
    with pytest.raises(MdcProtocolError):
        Request.parse(VOLUME_24_ACK)
    with pytest.raises(MdcProtocolError):
        Response.parse(VOLUME_24)
    with pytest.raises(MdcProtocolError):  # reply without A/N
        Response.parse(pack_payload(0xFF, 0, b"\x41"))
    with pytest.raises(MdcProtocolError):
        Response.parse(pack_payload(0xFF, 0, b"\x42\x12"))


STREAM = VOLUME_24_ACK + STATUS_REPLY + Response.nak(0x14, 1, 2).serialize()


def test_decoder_whole_and_byte_by_byte() -> None:
    expected = ResponseDecoder().feed(STREAM)
    assert [r.command for r in expected] == [0x12, 0x00, 0x14]
    decoder = ResponseDecoder()
    got = []
    for b in STREAM:
        got += decoder.feed(bytes([b]))
    assert got == expected and decoder.buffered == 0


def test_decoder_trailing_partial_frame() -> None:
    decoder = ResponseDecoder()
    assert decoder.feed(VOLUME_24_ACK + STATUS_REPLY[:5]) == [Response.parse(VOLUME_24_ACK)]
    assert decoder.buffered == 5


def test_decoder_resyncs_after_junk_and_bad_checksum() -> None:
    decoder = ResponseDecoder()
    broken = bytearray(STATUS_REPLY)
    broken[-1] ^= 1
    with pytest.raises(MdcProtocolError):
        decoder.feed(b"\x00\x13junk" + VOLUME_24_ACK)
    assert decoder.feed(b"") == [Response.parse(VOLUME_24_ACK)]
    assert decoder.feed(VOLUME_24_ACK + bytes(broken) + VOLUME_24_ACK) == [
        Response.parse(VOLUME_24_ACK)
    ]
    with pytest.raises(MdcProtocolError):
        decoder.feed(b"")
    assert decoder.feed(b"") == [Response.parse(VOLUME_24_ACK)]


def test_request_decoder() -> None:
    assert RequestDecoder().feed(VOLUME_24 + STATUS_QUERY) == [
        Request(0x12, 0, b"\x18"),
        Request(0, 0),
    ]


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    for decoder in (ResponseDecoder(), RequestDecoder()):
        while True:
            try:
                decoder.feed(data)
                break
            except MdcProtocolError:
                data = b""  # keep draining after each error: it must terminate


@given(st.integers(0, 0xFE), st.integers(0, 254), st.binary(max_size=255))
def test_requests_match_python_samsung_mdc(command: int, display_id: int, data: bytes) -> None:
    ours = Request(command, display_id, data)
    assert ours.serialize() == pack_payload(command, display_id, data)
    assert Request.parse(ours.serialize()) == ours


@given(st.integers(0, 0xFF), st.integers(0, 253), st.booleans(), st.binary(max_size=253))
def test_responses_match_python_samsung_mdc(
    command: int, display_id: int, ack: bool, data: bytes
) -> None:
    if not ack:
        data = data[:1] or b"\x00"
    ours = Response(command, display_id, ack, data)
    assert ours.serialize() == pack_response(command, display_id, ack, data)
    assert Response.parse(ours.serialize()) == ours
