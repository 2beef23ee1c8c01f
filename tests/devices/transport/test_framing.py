"""FrameDecoder (a codec cutting its own frames, and DelimitedDecoder) and iter_frames: whole,
byte by byte, junk around frames, overflow, random bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.transport.framing import DelimitedDecoder, FrameDecoder, iter_frames


def parse_upper(frame: bytes) -> bytes:
    """A toy codec: frames are upper-case ASCII lines ending in CR."""
    body = frame[:-1]
    if not body or not body.isupper():
        raise ProtocolError(f"not an upper-case line: {frame!r}")
    return body


def decoder() -> DelimitedDecoder[bytes]:
    return DelimitedDecoder(b"\r", parse_upper, max_length=8, is_start=lambda b: 65 <= b <= 90)


def collect(data: bytes, dec: DelimitedDecoder[bytes] | None = None) -> list[object]:
    dec = dec or decoder()
    return [
        "garbage" if isinstance(item, ProtocolError) else item for item in iter_frames(dec, data)
    ]


def test_whole_feed_returns_every_frame() -> None:
    assert collect(b"AB\rCD\r") == [b"AB", b"CD"]


def test_byte_by_byte_gives_the_same_frames() -> None:
    dec = decoder()
    out: list[object] = []
    for byte in b"AB\rCD\r":
        out += collect(bytes([byte]), dec)
    assert out == [b"AB", b"CD"]
    assert dec.buffered == 0


def test_partial_frame_waits_and_is_counted_as_buffered() -> None:
    dec = decoder()
    assert dec.feed(b"ABC") == []
    assert dec.buffered == 3
    assert dec.feed(b"\r") == [b"ABC"]


def test_leading_junk_is_reported_then_the_frame_follows() -> None:
    assert collect(b"12AB\r") == ["garbage", b"AB"]


def test_trailing_junk_after_good_frames_keeps_the_frames_first() -> None:
    dec = decoder()
    assert dec.feed(b"AB\r\x00\x01CD\r") == [b"AB"]  # frames before the garbage come first
    with pytest.raises(ProtocolError):
        dec.feed(b"")
    assert dec.feed(b"") == [b"CD"]


def test_a_frame_the_codec_rejects_is_dropped_whole() -> None:
    assert collect(b"AbC\rDE\r") == ["garbage", b"DE"]


def test_no_terminator_within_max_length_resyncs_to_next_start() -> None:
    # max_length counts the terminator: A, B and C are dropped one by one until a frame fits.
    assert collect(b"ABCDEFGHIJ\r") == ["garbage"] * 3 + [b"DEFGHIJ"]


def test_empty_terminator_is_refused() -> None:
    with pytest.raises(ValueError):
        DelimitedDecoder(b"", bytes, max_length=4)


def test_multi_byte_terminator() -> None:
    dec = DelimitedDecoder(b" >", lambda f: f, max_length=64)
    assert dec.feed(b"< REP A > < REP") == [b"< REP A >"]
    assert dec.feed(b" B >") == [b" < REP B >"]


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    dec = decoder()
    for item in iter_frames(dec, data):
        assert isinstance(item, (bytes, ProtocolError))
    assert dec.buffered < 8


@given(st.lists(st.sampled_from([b"AB\r", b"XYZ\r", b"\x00", b"q\r", b"\xff\xfe"]), max_size=20))
def test_good_frames_survive_any_junk_between_them(pieces: list[bytes]) -> None:
    frames = [item for item in collect(b"".join(pieces)) if item != "garbage"]
    assert frames == [p[:-1] for p in pieces if p in (b"AB\r", b"XYZ\r")]


class _Tlv(FrameDecoder[bytes]):
    """Toy codec: a frame is `#` + length byte + payload; anything else at the front is junk."""

    max_buffer = 64

    def cut_frame(self, buffer: bytearray) -> bytes | None:
        if not buffer:
            return None
        if buffer[0] != ord("#"):
            del buffer[:1]
            raise ProtocolError("junk")
        if len(buffer) < 2 or len(buffer) < 2 + buffer[1]:
            return None
        frame = bytes(buffer[2 : 2 + buffer[1]])
        del buffer[: 2 + buffer[1]]
        return frame


def drained(decoder: FrameDecoder[bytes], data: bytes) -> list[object]:
    """Everything the decoder yields, errors as their type, in arrival order."""
    return [type(item) if isinstance(item, ProtocolError) else item for item in decoder.drain(data)]


def test_cut_frame_codec_whole_and_split() -> None:
    decoder = _Tlv()
    assert decoder.feed(b"#\x02ab#\x01") == [b"ab"]
    assert decoder.buffered == 2
    assert decoder.feed(b"c") == [b"c"]


def test_cut_frame_codec_good_frames_first_then_the_error_then_the_rest() -> None:
    assert drained(_Tlv(), b"#\x01aX#\x01b") == [b"a", ProtocolError, b"b"]
    assert drained(_Tlv(), b"X#\x01b") == [ProtocolError, b"b"]


def test_cut_frame_codec_overflow_drops_the_partial_frame() -> None:
    decoder = _Tlv()
    with pytest.raises(ProtocolError):
        decoder.feed(b"#\xff" + b"x" * 100)
    assert decoder.buffered == 0
    assert decoder.feed(b"#\x00") == [b""]
    assert drained(_Tlv(), b"#\x01a#\xff" + b"x" * 100) == [b"a", ProtocolError]


def test_cut_frame_codec_clear() -> None:
    decoder = _Tlv()
    decoder.feed(b"#\x05ab")
    decoder.clear()
    assert decoder.feed(b"#\x01z") == [b"z"]
