"""PJLink error replies, tied to the device error taxonomy.

PJLink answers a command it cannot carry out with `%1CMND=ERRn` (PJLink 1.04 §4, "error
responses") and a failed authentication with `PJLINK ERRA`; callers need to know which of our
error types that is: ERR3 ("unavailable time", e.g. warming up) is worth a retry, ERR2 is not.
"""

from __future__ import annotations

import enum

from devices.errors import (
    InvalidValue,
    AuthError,
    DeviceBusy,
    DeviceError,
    DeviceRefused,
    ProtocolError,
    Unsupported,
)


class PJLinkProtocolError(ProtocolError):
    """A PJLink line we cannot parse (no `%`, bad command name, no CR within the line limit)."""


class ErrorCode(enum.StrEnum):
    """The error values a response can carry instead of a result."""

    UNDEFINED_COMMAND = "ERR1"
    OUT_OF_PARAMETER = "ERR2"
    UNAVAILABLE_TIME = "ERR3"
    PROJECTOR_FAILURE = "ERR4"


class PJLinkError(DeviceError):
    """Mixin carrying the PJLink command and error code behind a device error."""

    code: ErrorCode | None = None

    def __init__(self, message: str, command: str = "") -> None:
        super().__init__(message)
        self.command = command


class UndefinedCommand(PJLinkError, Unsupported):
    code = ErrorCode.UNDEFINED_COMMAND


class OutOfParameter(PJLinkError, InvalidValue):
    code = ErrorCode.OUT_OF_PARAMETER


class UnavailableTime(PJLinkError, DeviceBusy):
    code = ErrorCode.UNAVAILABLE_TIME


class ProjectorFailure(PJLinkError, DeviceRefused):
    code = ErrorCode.PROJECTOR_FAILURE


class PJLinkAuthError(PJLinkError, AuthError):
    """`PJLINK ERRA`: wrong or missing password; the projector closes the connection."""


_BY_CODE: dict[ErrorCode, tuple[type[PJLinkError], str]] = {
    ErrorCode.UNDEFINED_COMMAND: (UndefinedCommand, "the projector does not know command {cmd}"),
    ErrorCode.OUT_OF_PARAMETER: (OutOfParameter, "the projector refused the parameter of {cmd}"),
    ErrorCode.UNAVAILABLE_TIME: (
        UnavailableTime,
        "the projector cannot run {cmd} now (warming up, cooling down or busy)",
    ),
    ErrorCode.PROJECTOR_FAILURE: (ProjectorFailure, "the projector reports a failure on {cmd}"),
}


def error_for(code: ErrorCode, command: str) -> PJLinkError:
    """The exception to raise for an `ERRn` reply to `command`."""
    cls, text = _BY_CODE[code]
    return cls(f"{text.format(cmd=command)} ({code.value})", command)
