"""VISCA over IP (Sony, UDP 52381): an 8-byte big-endian header before each VISCA payload.

Header: payload type (2 bytes), payload length (2), sequence number (4). Types: 0x0100
command, 0x0110 inquiry, 0x0111 reply, 0x0120 device setting, 0x0200 control command, 0x0201
control reply. Control payloads: ``01`` = reset the sequence number (and its reply);
``0F 01`` / ``0F 02`` = sequence number / message type error.
Sources: docs/devices.md §3 (Sony Companion module, PlaceOS visca.cr, ptzsim).
Sans-I/O: no asyncio, serial or socket imports.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from devices.errors import ProtocolError
from devices.transport.framing import FrameDecoder
from devices.visca.errors import ControlErrorCode
from devices.visca.packet import MAX_PACKET, Packet

HEADER = struct.Struct(">HHI")
SEQUENCE_LIMIT = 1 << 32
RESET = b"\x01"
CONTROL_ERROR = 0x0F


class PayloadType(enum.IntEnum):
    COMMAND = 0x0100
    INQUIRY = 0x0110
    REPLY = 0x0111
    DEVICE_SETTING = 0x0120
    CONTROL = 0x0200
    CONTROL_REPLY = 0x0201

    @property
    def carries_visca(self) -> bool:
        return self not in (PayloadType.CONTROL, PayloadType.CONTROL_REPLY)


_KINDS = frozenset(int(kind) for kind in PayloadType)
_FIRST_BYTES = frozenset(kind >> 8 for kind in _KINDS)


@dataclass(frozen=True)
class IpPacket:
    kind: PayloadType
    seq: int
    payload: bytes

    @classmethod
    def reset(cls, seq: int = 0) -> IpPacket:
        return cls(PayloadType.CONTROL, seq, RESET)

    @classmethod
    def control_error(cls, seq: int, code: ControlErrorCode) -> IpPacket:
        return cls(PayloadType.CONTROL_REPLY, seq, bytes([CONTROL_ERROR, code]))

    @classmethod
    def parse(cls, raw: bytes) -> IpPacket:
        if len(raw) < HEADER.size:
            raise ProtocolError(f"VISCA-over-IP packet shorter than its header: {raw.hex(' ')}")
        kind_value, length, seq = HEADER.unpack_from(raw)
        try:
            kind = PayloadType(kind_value)
        except ValueError:
            raise ProtocolError(f"unknown VISCA-over-IP payload type {kind_value:04X}") from None
        payload = raw[HEADER.size :]
        if length != len(payload) or not 1 <= length <= MAX_PACKET:
            raise ProtocolError(f"payload length {length} does not match {len(payload)} bytes")
        if kind.carries_visca:
            Packet.parse(payload)  # validates the framing
        elif payload != RESET and not (len(payload) == 2 and payload[0] == CONTROL_ERROR):
            raise ProtocolError(f"unknown control payload {payload.hex(' ')}")
        return cls(kind, seq, payload)

    def serialize(self) -> bytes:
        if not 0 <= self.seq < SEQUENCE_LIMIT or not 1 <= len(self.payload) <= MAX_PACKET:
            raise ValueError(f"cannot encode {self}")
        return HEADER.pack(self.kind, len(self.payload), self.seq) + self.payload

    @property
    def visca(self) -> Packet:
        """The VISCA packet inside a command, inquiry or reply."""
        return Packet.parse(self.payload)

    @property
    def control_error_code(self) -> int | None:
        """``xx`` of a ``0F xx`` control reply, else None."""
        if self.kind is PayloadType.CONTROL_REPLY and self.payload[0] == CONTROL_ERROR:
            return self.payload[1]
        return None


class IpDecoder(FrameDecoder[IpPacket]):
    """Finds header-framed packets in a byte stream (or one datagram) and resyncs on garbage."""

    def starts_frame(self, byte: int) -> bool:
        return byte in _FIRST_BYTES

    def frame_length(self, buffer: bytearray) -> int | None:
        if len(buffer) < HEADER.size:
            return None
        kind_value, length, _ = HEADER.unpack_from(buffer)
        if kind_value not in _KINDS or not 1 <= length <= MAX_PACKET:
            raise ProtocolError("no VISCA-over-IP header")
        end = HEADER.size + length
        return end if len(buffer) >= end else None

    def parse(self, raw: bytes) -> IpPacket:
        return IpPacket.parse(raw)
