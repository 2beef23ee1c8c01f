"""The stable code of a failure, for the pages to word in their language.

The event log, the audit log and a scene's steps carry the English message for technicians'
logs and exports, and this code beside it: the console and the class page show the code's
words (their ``room.error.<code>`` translations), never the English sentence. The codes are
the room API's error codes (docs/rooms.md), so a refusal reads the same whether it came back
from a request or from a scene step.
"""

from __future__ import annotations

from devices.errors import (
    AuthError,
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    InvalidValue,
    Unsupported,
)
from devices.room.errors import NotFound

CODES: list[tuple[type[BaseException], str]] = [  # first match wins
    (InvalidValue, "invalid_value"),  # a value the device cannot take (before DeviceError)
    (DeviceOffline, "device_offline"),
    (DeviceTimeout, "device_timeout"),
    (TimeoutError, "device_timeout"),  # a scene step's own time limit
    (DeviceBusy, "device_busy"),
    (DeviceRefused, "device_refused"),
    (Unsupported, "unsupported"),
    (AuthError, "device_auth"),
    (DeviceError, "device_error"),
    (ValueError, "invalid_value"),
]
NOT_FOUND = ("room", "device", "scene", "position")
ALL_CODES = sorted({code for _, code in CODES} | {f"{what}_not_found" for what in NOT_FOUND})
"""Every code `code_of` can return (the pages must have words for each)."""


def code_of(exc: BaseException) -> str:
    """The code of a failure a room reports: `device_error` for any device error not listed."""
    if isinstance(exc, NotFound) and exc.what in NOT_FOUND:
        return f"{exc.what}_not_found"
    return next((code for kind, code in CODES if isinstance(exc, kind)), "device_error")
