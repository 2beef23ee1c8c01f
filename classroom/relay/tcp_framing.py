"""RFC 4571 framing: ICE over TCP (RFC 6544) carries each STUN/DTLS/RTP packet behind its
16-bit length (sans I/O)."""

from __future__ import annotations

import struct

MAX_FRAME = 0xFFFF
_LENGTH = struct.Struct("!H")


class FramingError(ValueError):
    pass


def frame(packet: bytes) -> bytes:
    if len(packet) > MAX_FRAME:
        raise FramingError(f"a {len(packet)}-byte packet does not fit an RFC 4571 frame")
    return _LENGTH.pack(len(packet)) + packet


class FrameReader:
    """Cuts a TCP byte stream into packets; keeps at most one partial frame."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer += data
        packets = []
        view = self._buffer
        pos = 0
        while len(view) - pos >= 2:
            (length,) = _LENGTH.unpack_from(view, pos)
            if len(view) - pos - 2 < length:
                break
            packets.append(bytes(view[pos + 2 : pos + 2 + length]))
            pos += 2 + length
        del self._buffer[:pos]
        return packets

    @property
    def pending(self) -> int:
        return len(self._buffer)
