"""MDC errors, tied to the device error taxonomy."""

from __future__ import annotations

from devices.errors import DeviceRefused, ProtocolError


class MdcProtocolError(ProtocolError):
    """Bytes that are not an MDC frame: no 0xAA header, bad checksum, impossible length."""


class MdcNak(DeviceRefused):
    """The display answered NAK ('N'): it understood the frame and will not carry it out.

    MDC has no separate busy code; displays NAK while switching power as well as for
    unsupported values, so the error carries the display's code for the log.
    """

    def __init__(self, command: int, code: int) -> None:
        super().__init__(
            f"the display refused command 0x{command:02X} (NAK, error code 0x{code:02X})"
        )
        self.command = command
        self.code = code
