"""Shure command-string errors, tied to the device error taxonomy."""

from __future__ import annotations

from devices.errors import DeviceRefused, ProtocolError


class ShureProtocolError(ProtocolError):
    """Text that is not a command string: junk between frames, an unknown message type."""


class ShureCommandError(DeviceRefused):
    """`< REP ERR >`: the device did not accept the last command (unknown name, bad value)."""
