"""VISCA error codes map onto the device taxonomy (busy is retried, the rest are refusals)."""

from __future__ import annotations

import pytest

from devices.errors import DeviceBusy, DeviceError, DeviceRefused
from devices.visca.errors import (
    BufferFull,
    CommandCancelled,
    ErrorCode,
    MessageLengthError,
    MessageTypeError,
    NoSocket,
    NotExecutable,
    SequenceNumberError,
    SyntaxViscaError,
    UnknownReplyError,
    ViscaError,
    error_for,
)


@pytest.mark.parametrize(
    ("code", "cls", "family"),
    [
        (ErrorCode.MESSAGE_LENGTH, MessageLengthError, DeviceRefused),
        (ErrorCode.SYNTAX, SyntaxViscaError, DeviceRefused),
        (ErrorCode.BUFFER_FULL, BufferFull, DeviceBusy),
        (ErrorCode.CANCELLED, CommandCancelled, DeviceRefused),
        (ErrorCode.NO_SOCKET, NoSocket, DeviceBusy),
        (ErrorCode.NOT_EXECUTABLE, NotExecutable, DeviceRefused),
    ],
)
def test_each_code_has_its_class(code: int, cls: type, family: type) -> None:
    error = error_for(code, socket=1)
    assert type(error) is cls
    assert isinstance(error, family) and isinstance(error, ViscaError)
    assert error.code == code and error.socket == 1
    assert f"{code:02X}" in str(error)


def test_unknown_code_is_still_a_refusal() -> None:
    error = error_for(0x7A)
    assert isinstance(error, UnknownReplyError) and isinstance(error, DeviceRefused)
    assert "7A" in str(error)


def test_control_errors() -> None:
    assert isinstance(SequenceNumberError(), DeviceError)
    assert not isinstance(SequenceNumberError(), (DeviceBusy, DeviceRefused))  # driver resyncs
    assert isinstance(MessageTypeError(), DeviceRefused)
