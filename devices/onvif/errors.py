"""Translate what onvif-zeep-async, zeep and aiohttp raise into devices.errors, at the edge.

The driver awaits every library call through `bounded`, so nothing above it ever sees a
zeep Fault or an aiohttp error. The mapping (the same tuple Home Assistant's integration
catches, each given a meaning):

- SOAP Fault: NotAuthorized (or "auth" in the text, see `onvif.util.is_auth_error`) →
  AuthError; ActionNotSupported and friends → Unsupported; any other Fault → DeviceRefused.
- HTTP status without a SOAP Fault (zeep TransportError): 401/403 → AuthError,
  503 → DeviceBusy, 501 → Unsupported, anything else → ProtocolError.
- Unparseable replies (XML syntax, missing envelope, undeclared prefixes) → ProtocolError.
- Connection refused, reset or dropped → DeviceOffline; our own time limit → DeviceTimeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar
from xml.etree.ElementTree import ParseError

import aiohttp
import zeep.exceptions
from lxml import etree
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError
from onvif.util import extract_subcodes_as_strings, is_auth_error, stringify_onvif_error

from devices.errors import (
    AuthError,
    DeviceBusy,
    DeviceError,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)

T = TypeVar("T")

# ONVIF Core §5.11.2 generic faults that say "this device does not do that".
UNSUPPORTED_SUBCODES = ("ActionNotSupported", "NotImplemented", "NoSuchService", "NoPTZProfile")
_HTTP_ERRORS: dict[int, type[DeviceError]] = {
    401: AuthError,
    403: AuthError,
    501: Unsupported,
    503: DeviceBusy,
}


def translate(exc: BaseException, what: str) -> DeviceError | None:
    """The device error for a library exception; None for exceptions that are our own bugs."""
    if isinstance(exc, DeviceError):
        return exc
    if isinstance(exc, (asyncio.TimeoutError, ONVIFTimeoutError)):
        return DeviceTimeout(f"{what}: no answer in time")
    if isinstance(exc, zeep.exceptions.Fault):
        return _fault(exc, what)
    if isinstance(exc, zeep.exceptions.TransportError):
        status = exc.status_code
        if status == 200:
            return ProtocolError(f"{what}: the reply is not XML")
        return _HTTP_ERRORS.get(status, ProtocolError)(f"{what}: HTTP {status} without a SOAP answer")
    if isinstance(exc, (zeep.exceptions.XMLSyntaxError, zeep.exceptions.XMLParseError)):
        return ProtocolError(f"{what}: the reply is not a valid SOAP envelope ({exc})")
    if isinstance(exc, (etree.XMLSyntaxError, ParseError, ValueError)):
        # zeep lets lxml's errors through, e.g. "Invalid tag name 'ptz:PTZStatus'".
        return ProtocolError(f"{what}: the reply does not parse ({exc})")
    if isinstance(exc, (aiohttp.ClientConnectionError, ConnectionError)):
        return DeviceOffline(f"{what}: connection failed ({exc or type(exc).__name__})")
    if isinstance(exc, aiohttp.ClientError):
        return ProtocolError(f"{what}: HTTP exchange failed ({exc})")
    if isinstance(exc, ONVIFAuthError):
        return AuthError(f"{what}: {exc}")
    if isinstance(exc, ONVIFError):
        cause = exc.__cause__
        if cause is not None and (inner := translate(cause, what)) is not None:
            return inner
        if "support service" in str(exc):
            return Unsupported(f"{what}: {exc}")
        return ProtocolError(f"{what}: {exc}")
    if isinstance(exc, OSError):
        return DeviceOffline(f"{what}: {exc}")
    return None


def _fault(fault: zeep.exceptions.Fault, what: str) -> DeviceError:
    message = f"{what}: the camera answered with a SOAP Fault: {stringify_onvif_error(fault)}"
    subcodes = extract_subcodes_as_strings(fault.subcodes) if fault.subcodes is not None else []
    if is_auth_error(fault):
        return AuthError(message)
    if any(code.endswith(name) for code in subcodes for name in UNSUPPORTED_SUBCODES):
        return Unsupported(message)
    return DeviceRefused(message)


async def bounded(awaitable: Awaitable[T], timeout: float, what: str) -> T:
    """Await a library call with our own time limit (its own defaults are 90 s) and translate
    whatever it raises; `what` names the call and the camera for the error message."""
    try:
        async with asyncio.timeout(timeout):
            return await awaitable
    except Exception as exc:
        error = translate(exc, what)
        if error is None or error is exc:
            raise
        if isinstance(error, DeviceTimeout):
            error = DeviceTimeout(f"{what}: no answer within {timeout:g} s")
        raise error from exc
