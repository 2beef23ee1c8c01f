"""MDC frames and the decoders that cut a byte stream into them.

Request:  AA cmd id len data… chk
Response: AA FF id len ('A'|'N') rcmd data… chk
chk is the low byte of the sum of every byte after the 0xAA header (Samsung MDC protocol;
vgavro/samsung-mdc connection.py). A query is the command with no data. Display ids are
0–253; 254 is broadcast, which displays obey without replying. Pure code: no I/O here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.mdc.errors import MdcNak, MdcProtocolError
from devices.transport.framing import FrameDecoder

HEADER = 0xAA
RESPONSE = 0xFF  # the command byte of every reply
ACK = 0x41  # 'A'
NAK = 0x4E  # 'N'
BROADCAST_ID = 254
MAX_DATA = 255


class Command(enum.IntEnum):
    """The commands classbridge uses (command byte of a request, rcmd of its reply)."""

    STATUS = 0x00
    SERIAL_NUMBER = 0x0B
    SOFTWARE_VERSION = 0x0E
    MODEL_NUMBER = 0x10
    POWER = 0x11
    VOLUME = 0x12
    MUTE = 0x13
    INPUT_SOURCE = 0x14


def checksum(body: bytes) -> int:
    """Sum of the bytes after the header, modulo 256."""
    return sum(body) & 0xFF


def _frame(command: int, display_id: int, data: bytes) -> bytes:
    body = bytes([command, display_id, len(data)]) + data
    return bytes([HEADER]) + body + bytes([checksum(body)])


def _check_byte(name: str, value: int, high: int = 0xFF) -> None:
    if not isinstance(value, int) or not 0 <= value <= high:
        raise MdcProtocolError(f"MDC {name} must be 0..{high}, not {value!r}")


@dataclass(frozen=True)
class Request:
    """A command to one display (or to all, with BROADCAST_ID)."""

    command: int
    display_id: int
    data: bytes = b""

    def __post_init__(self) -> None:
        _check_byte("command", self.command, RESPONSE - 1)
        _check_byte("display id", self.display_id, BROADCAST_ID)
        if len(self.data) > MAX_DATA:
            raise MdcProtocolError(f"MDC data is at most {MAX_DATA} bytes")
        object.__setattr__(self, "data", bytes(self.data))

    @property
    def is_query(self) -> bool:
        return not self.data

    @property
    def expects_reply(self) -> bool:
        return self.display_id != BROADCAST_ID

    def serialize(self) -> bytes:
        return _frame(self.command, self.display_id, self.data)

    @classmethod
    def parse(cls, frame: bytes) -> Request:
        command, display_id, data = _split(frame)
        if command == RESPONSE:
            raise MdcProtocolError(f"a reply where a request was expected: {frame.hex(' ')}")
        return cls(command, display_id, data)


@dataclass(frozen=True)
class Response:
    """ACK with the command's data, or NAK with one error code."""

    command: int
    display_id: int
    ack: bool = True
    data: bytes = b""

    def __post_init__(self) -> None:
        _check_byte("command", self.command)
        _check_byte("display id", self.display_id, BROADCAST_ID - 1)
        object.__setattr__(self, "data", bytes(self.data))
        if len(self.data) > MAX_DATA - 2:
            raise MdcProtocolError(f"MDC reply data is at most {MAX_DATA - 2} bytes")
        if not self.ack and len(self.data) != 1:
            raise MdcProtocolError("an MDC NAK carries exactly one error code")

    @classmethod
    def nak(cls, command: int, display_id: int, code: int) -> Response:
        return cls(command, display_id, False, bytes([code]))

    def result(self) -> bytes:
        """The ACK data, or raise MdcNak (a DeviceRefused)."""
        if not self.ack:
            raise MdcNak(self.command, self.data[0])
        return self.data

    def serialize(self) -> bytes:
        return _frame(
            RESPONSE, self.display_id, bytes([ACK if self.ack else NAK, self.command]) + self.data
        )

    @classmethod
    def parse(cls, frame: bytes) -> Response:
        command, display_id, data = _split(frame)
        if command != RESPONSE:
            raise MdcProtocolError(f"a request where a reply was expected: {frame.hex(' ')}")
        if len(data) < 2 or data[0] not in (ACK, NAK):
            raise MdcProtocolError(f"MDC reply without A/N and command: {frame.hex(' ')}")
        if display_id == BROADCAST_ID:
            raise MdcProtocolError("a reply from the broadcast id")
        return cls(data[1], display_id, data[0] == ACK, data[2:])


def _split(frame: bytes) -> tuple[int, int, bytes]:
    """Check header, length and checksum of one whole frame; return (cmd, id, data)."""
    if len(frame) < 5 or frame[0] != HEADER or len(frame) != 5 + frame[3]:
        raise MdcProtocolError(f"not one MDC frame: {frame.hex(' ')}")
    if checksum(frame[1:-1]) != frame[-1]:
        raise MdcProtocolError(f"MDC checksum mismatch: {frame.hex(' ')}")
    return frame[1], frame[2], frame[4:-1]


def _cut_frame(buffer: bytearray) -> bytes | None:
    """Remove one whole frame from the front; on junk or a bad checksum skip to the next 0xAA."""
    if not buffer:
        return None
    if buffer[0] != HEADER:
        junk = _drop_to_next_header(buffer, 0)
        raise MdcProtocolError(f"junk before an MDC frame: {junk.hex(' ')}")
    if len(buffer) < 4:
        return None
    end = 5 + buffer[3]
    if len(buffer) < end:
        return None
    frame = bytes(buffer[:end])
    if checksum(frame[1:-1]) != frame[-1]:
        _drop_to_next_header(buffer, 1)
        raise MdcProtocolError(f"MDC checksum mismatch: {frame.hex(' ')}")
    del buffer[:end]
    return frame


def _drop_to_next_header(buffer: bytearray, start: int) -> bytes:
    """Delete bytes up to (not including) the next 0xAA at or after `start`; return them."""
    cut = buffer.find(HEADER, start)
    cut = len(buffer) if cut < 0 else cut
    junk = bytes(buffer[:cut])
    del buffer[:cut]
    return junk


class ResponseDecoder(FrameDecoder[Response]):
    """Controller side: replies from displays."""

    max_buffer = 5 + MAX_DATA
    error_class = MdcProtocolError

    def cut_frame(self, buffer: bytearray) -> Response | None:
        frame = _cut_frame(buffer)
        return None if frame is None else Response.parse(frame)


class RequestDecoder(FrameDecoder[Request]):
    """Display side: commands from a controller."""

    max_buffer = 5 + MAX_DATA
    error_class = MdcProtocolError

    def cut_frame(self, buffer: bytearray) -> Request | None:
        frame = _cut_frame(buffer)
        return None if frame is None else Request.parse(frame)
