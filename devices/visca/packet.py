"""VISCA packets as they travel on a serial line or raw TCP: ``header body... FF``.

The header of a command is ``8x`` (x = camera address 1..7, 8 = broadcast); a camera's reply
starts ``y0`` with y = address + 8; 0xFF only ends a packet. Replies are small typed classes:
ACK ``y0 4z``, completion ``y0 5z [data]``, error ``y0 6z ee``, network change ``y0 38``, and
the broadcast replies to Address Set (``88 30 0w``) and IF_Clear (``88 01 00 01``).
Sources: docs/devices.md §3. Sans-I/O: no asyncio, serial or socket imports.
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ProtocolError
from devices.transport.framing import DelimitedDecoder

TERMINATOR = 0xFF
MAX_PACKET = 16  # header + up to 14 bytes + terminator (VISCA's longest messages)
BROADCAST = 0x88


def _is_header(byte: int) -> bool:
    return 0x80 <= byte < 0xFF


@dataclass(frozen=True)
class Packet:
    """One framed message, either direction; ``body`` excludes the header and the 0xFF."""

    header: int
    body: bytes

    @classmethod
    def command(cls, address: int, body: bytes) -> Packet:
        """A packet from the controller (address 0) to camera ``address`` (8 = broadcast)."""
        if not 1 <= address <= 8:
            raise ValueError(f"camera address must be 1..7 (8 = broadcast), not {address}")
        return cls(0x80 | address, body)

    @classmethod
    def parse(cls, raw: bytes) -> Packet:
        if len(raw) < 3 or len(raw) > MAX_PACKET:
            raise ProtocolError(f"VISCA packet of {len(raw)} bytes: {raw.hex(' ')}")
        if not _is_header(raw[0]) or raw[-1] != TERMINATOR or TERMINATOR in raw[1:-1]:
            raise ProtocolError(f"not a VISCA packet: {raw.hex(' ')}")
        return cls(raw[0], raw[1:-1])

    def serialize(self) -> bytes:
        if not _is_header(self.header) or TERMINATOR in self.body or not self.body:
            raise ValueError(f"cannot frame header {self.header:02X} body {self.body.hex(' ')}")
        if len(self.body) > MAX_PACKET - 2:
            raise ValueError(f"VISCA body of {len(self.body)} bytes is too long")
        return bytes([self.header, *self.body, TERMINATOR])

    @property
    def destination(self) -> int:
        """Camera address a command is for (8 = broadcast)."""
        return self.header & 0x0F


def raw_decoder() -> DelimitedDecoder[Packet]:
    """Decoder for serial lines and raw TCP: splits on 0xFF, resyncs on a header byte."""
    return DelimitedDecoder(
        bytes([TERMINATOR]), Packet.parse, max_length=MAX_PACKET, is_start=_is_header
    )


def _reply_header(address: int) -> int:
    if not 1 <= address <= 7:
        raise ValueError(f"camera address must be 1..7, not {address}")
    return (address + 8) << 4


@dataclass(frozen=True)
class Ack:
    address: int
    socket: int

    def packet(self) -> Packet:
        return Packet(_reply_header(self.address), bytes([0x40 | self.socket]))


@dataclass(frozen=True)
class Completion:
    """Command done (socket 1/2), or an inquiry's answer (socket 0, with data)."""

    address: int
    socket: int
    data: bytes = b""

    def packet(self) -> Packet:
        return Packet(_reply_header(self.address), bytes([0x50 | self.socket]) + self.data)


@dataclass(frozen=True)
class ErrorReply:
    address: int
    socket: int
    code: int

    def packet(self) -> Packet:
        return Packet(_reply_header(self.address), bytes([0x60 | self.socket, self.code]))


@dataclass(frozen=True)
class NetworkChange:
    """Sent unasked when the camera chain changes; not a reply to anything."""

    address: int

    def packet(self) -> Packet:
        return Packet(_reply_header(self.address), b"\x38")


@dataclass(frozen=True)
class AddressSetReply:
    """``88 30 0w``: w is the next free address, so w - 1 cameras are on the chain."""

    next_address: int

    def packet(self) -> Packet:
        return Packet(BROADCAST, bytes([0x30, self.next_address]))


@dataclass(frozen=True)
class IfClearReply:
    """The broadcast IF_Clear comes back unchanged once every camera has cleared."""

    def packet(self) -> Packet:
        return Packet(BROADCAST, IF_CLEAR_BODY)


Reply = Ack | Completion | ErrorReply | NetworkChange | AddressSetReply | IfClearReply

ADDRESS_SET_BODY = b"\x30\x01"
IF_CLEAR_BODY = b"\x01\x00\x01"


def parse_reply(packet: Packet) -> Reply:
    """Classify a packet that came from a camera."""
    body = packet.body
    if packet.header == BROADCAST:
        if len(body) == 2 and body[0] == 0x30 and 1 <= body[1] <= 8:
            return AddressSetReply(body[1])
        if body == IF_CLEAR_BODY:
            return IfClearReply()
        raise ProtocolError(f"unknown broadcast reply {packet.serialize().hex(' ')}")
    if packet.header & 0x0F or not 9 <= packet.header >> 4 <= 15:
        raise ProtocolError(f"not a reply header: {packet.header:02X}")
    address = (packet.header >> 4) - 8
    kind, socket = body[0] & 0xF0, body[0] & 0x0F
    if kind == 0x40 and len(body) == 1 and socket <= 2:
        return Ack(address, socket)
    if kind == 0x50 and socket <= 2:
        return Completion(address, socket, body[1:])
    if kind == 0x60 and len(body) == 2 and socket <= 2:
        return ErrorReply(address, socket, body[1])
    if body == b"\x38":
        return NetworkChange(address)
    raise ProtocolError(f"unknown reply {packet.serialize().hex(' ')}")
