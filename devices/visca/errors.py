"""VISCA's own error codes, tied to the device layer's taxonomy.

A camera answers ``y0 6z ee FF`` (z = socket, ee = code). Buffer-full and no-socket mean "try
again shortly", so they are `DeviceBusy` and the link resends; the others are refusals. The
VISCA-over-IP control errors (``0F 01`` sequence number, ``0F 02`` message type) say that the
two ends are out of step: the driver resets the sequence and resends.
Sources: docs/devices.md §3 (PTZOptics command list, Sony Companion module, PlaceOS).
"""

from __future__ import annotations

import enum

from devices.errors import DeviceBusy, DeviceError, DeviceRefused


class ErrorCode(enum.IntEnum):
    MESSAGE_LENGTH = 0x01
    SYNTAX = 0x02
    BUFFER_FULL = 0x03
    CANCELLED = 0x04
    NO_SOCKET = 0x05
    NOT_EXECUTABLE = 0x41


class ControlErrorCode(enum.IntEnum):
    """Payload ``0F xx`` of a VISCA-over-IP control reply."""

    SEQUENCE_NUMBER = 0x01
    MESSAGE_TYPE = 0x02


class ViscaError(DeviceError):
    """Base of every VISCA-specific error."""


class ViscaReplyError(ViscaError):
    """The camera answered with an error packet."""

    code: int = 0
    meaning = "unknown error"

    def __init__(self, code: int | None = None, socket: int = 0) -> None:
        if code is not None:
            self.code = code
        self.socket = socket
        super().__init__(f"camera error {self.code:02X}: {self.meaning}")


class MessageLengthError(ViscaReplyError, DeviceRefused):
    code, meaning = ErrorCode.MESSAGE_LENGTH, "message length error"


class SyntaxViscaError(ViscaReplyError, DeviceRefused):
    code, meaning = ErrorCode.SYNTAX, "syntax error (command not supported)"


class BufferFull(ViscaReplyError, DeviceBusy):
    code, meaning = ErrorCode.BUFFER_FULL, "command buffer full"


class CommandCancelled(ViscaReplyError, DeviceRefused):
    code, meaning = ErrorCode.CANCELLED, "command cancelled"


class NoSocket(ViscaReplyError, DeviceBusy):
    code, meaning = ErrorCode.NO_SOCKET, "no socket (to be cancelled)"


class NotExecutable(ViscaReplyError, DeviceRefused):
    code, meaning = ErrorCode.NOT_EXECUTABLE, "command not executable now"


class UnknownReplyError(ViscaReplyError, DeviceRefused):
    """An error code this table does not know; the camera still refused."""


class ControlError(ViscaError):
    """A VISCA-over-IP control reply reporting an error."""


class SequenceNumberError(ControlError):
    """``0F 01``: the camera did not expect this sequence number; reset it and resend."""

    def __init__(self) -> None:
        super().__init__("camera reports a sequence number error (0F 01)")


class MessageTypeError(ControlError, DeviceRefused):
    """``0F 02``: the camera did not accept the payload type."""

    def __init__(self) -> None:
        super().__init__("camera reports a message type error (0F 02)")


_BY_CODE: dict[int, type[ViscaReplyError]] = {
    cls.code: cls
    for cls in (
        MessageLengthError,
        SyntaxViscaError,
        BufferFull,
        CommandCancelled,
        NoSocket,
        NotExecutable,
    )
}


def error_for(code: int, socket: int = 0) -> ViscaReplyError:
    """The exception for an error packet's code."""
    cls = _BY_CODE.get(code)
    if cls is None:
        return UnknownReplyError(code, socket)
    return cls(socket=socket)
