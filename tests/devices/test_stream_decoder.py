"""StreamDecoder: frames come out whole, bad bytes are dropped, good frames are never lost."""

from __future__ import annotations

import pytest

from devices.errors import ProtocolError
from devices.stream_decoder import StreamDecoder


class _Tlv(StreamDecoder[bytes]):
    """Toy codec: a frame is `#` + length byte + payload; anything else at the front is junk."""

    max_buffer = 64

    def _next_frame(self, buffer: bytearray) -> bytes | None:
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


def drain(decoder: StreamDecoder[bytes], data: bytes) -> list[object]:
    """Everything the decoder yields, errors as their type, in arrival order."""
    return [type(item) if isinstance(item, ProtocolError) else item for item in decoder.drain(data)]


def test_frames_whole_and_split() -> None:
    decoder = _Tlv()
    assert decoder.feed(b"#\x02ab#\x01") == [b"ab"]
    assert decoder.buffered == 2
    assert decoder.feed(b"c") == [b"c"]


def test_good_frames_first_then_the_error_then_the_rest() -> None:
    assert drain(_Tlv(), b"#\x01aX#\x01b") == [b"a", ProtocolError, b"b"]
    assert drain(_Tlv(), b"X#\x01b") == [ProtocolError, b"b"]


def test_overflow_drops_the_partial_frame() -> None:
    decoder = _Tlv()
    with pytest.raises(ProtocolError):
        decoder.feed(b"#\xff" + b"x" * 100)
    assert decoder.buffered == 0
    assert decoder.feed(b"#\x00") == [b""]
    assert drain(_Tlv(), b"#\x01a#\xff" + b"x" * 100) == [b"a", ProtocolError]


def test_clear() -> None:
    decoder = _Tlv()
    decoder.feed(b"#\x05ab")
    decoder.clear()
    assert decoder.feed(b"#\x01z") == [b"z"]
