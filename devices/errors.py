"""The device layer's error taxonomy.

One base class for the package; subclasses say *why* a device action failed so that callers
(CLI exit codes, the room controller, the technician console) can react without knowing the
protocol. Protocol packages subclass these for their own codes (VISCA not-executable, PJLink
ERR3, MDC NAK); library exceptions (pyserial, zeep, aiohttp) are translated at the adapter edge.
"""

from __future__ import annotations


class DeviceError(Exception):
    """Base for every error raised by the device layer."""


class ProtocolError(DeviceError):
    """Bytes on the wire that the codec cannot make sense of (framing, checksum, syntax)."""


class ConfigError(DeviceError):
    """A room or device configuration is invalid; the message names file, device and field."""


class DeviceOffline(DeviceError):
    """The device link is not connected, or the connection dropped during the exchange."""


class DeviceTimeout(DeviceError):
    """The device did not answer within the protocol's time limit."""


class DeviceBusy(DeviceError):
    """The device is temporarily unable to act (buffer full, warming up); retrying may help."""


class DeviceRefused(DeviceError):
    """The device understood the command and refused it (not executable, out of range)."""


class InvalidValue(DeviceRefused, ValueError):
    """A value outside what the device takes (a preset it does not have, an input it lacks, a
    gain beyond its range): refused before anything is sent, or by the device itself (PJLink
    ERR2). Also a ValueError, so every edge reports it as a bad value (CLI exit 2, API 422
    `invalid_value`), whatever the protocol."""


class AuthError(DeviceError):
    """The device rejected our credentials."""


class Unsupported(DeviceError):
    """The device (or its protocol) has no such capability."""
