"""Library exceptions become devices.errors at the edge; our own bugs are left alone."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import zeep.exceptions
from lxml import etree
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError

from devices.errors import (
    AuthError,
    DeviceBusy,
    DeviceOffline,
    DeviceRefused,
    DeviceTimeout,
    ProtocolError,
    Unsupported,
)
from devices.onvif.errors import bounded, translate

TER = "{http://www.onvif.org/ver10/error}"


def fault(message: str, *subcodes: str) -> zeep.exceptions.Fault:
    return zeep.exceptions.Fault(message, code="env:Sender", subcodes=[etree.QName(TER + s) for s in subcodes])


def onvif_wrapping(cause: Exception) -> ONVIFError:
    try:
        raise ONVIFError(cause) from cause
    except ONVIFError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError(), DeviceTimeout),
        (ONVIFTimeoutError("late"), DeviceTimeout),
        (fault("Sender not Authorized", "NotAuthorized"), AuthError),
        (fault("Authority failure"), AuthError),
        (fault("nope", "ActionNotSupported"), Unsupported),
        (fault("no ptz", "InvalidArgVal", "NoPTZProfile"), Unsupported),
        (fault("bad value", "InvalidArgVal"), DeviceRefused),
        (zeep.exceptions.Fault("Unknown fault occured"), DeviceRefused),
        (zeep.exceptions.TransportError("x", status_code=401), AuthError),
        (zeep.exceptions.TransportError("x", status_code=403), AuthError),
        (zeep.exceptions.TransportError("x", status_code=503), DeviceBusy),
        (zeep.exceptions.TransportError("x", status_code=501), Unsupported),
        (zeep.exceptions.TransportError("x", status_code=500), ProtocolError),
        (zeep.exceptions.TransportError("x", status_code=200), ProtocolError),
        (zeep.exceptions.XMLSyntaxError("no envelope"), ProtocolError),
        (ValueError("Invalid tag name 'ptz:PTZStatus'"), ProtocolError),
        (aiohttp.ServerDisconnectedError(), DeviceOffline),
        (aiohttp.ClientConnectionError("refused"), DeviceOffline),
        (ConnectionResetError(), DeviceOffline),
        (aiohttp.InvalidURL("http://x:y"), ProtocolError),
        (ONVIFAuthError("Failed to authenticate"), AuthError),
        (onvif_wrapping(aiohttp.ServerDisconnectedError()), DeviceOffline),
        (ONVIFError("Device doesn`t support service: ptz with namespace x"), Unsupported),
        (ONVIFError("something odd"), ProtocolError),
    ],
)
def test_translation(exc: Exception, expected: type[Exception]) -> None:
    error = translate(exc, "GetStatus on cam:80")
    assert type(error) is expected
    assert str(error).startswith("GetStatus on cam:80")


def test_our_own_bugs_are_not_translated() -> None:
    assert translate(KeyError("x"), "op") is None
    assert translate(AttributeError("x"), "op") is None
    already = DeviceRefused("x")
    assert translate(already, "op") is already


async def test_bounded_enforces_our_time_limit() -> None:
    with pytest.raises(DeviceTimeout, match=r"Stop on cam: no answer within 0.05 s"):
        await bounded(asyncio.sleep(10), 0.05, "Stop on cam")


async def test_bounded_translates_and_chains() -> None:
    async def refuse() -> None:
        raise fault("bad", "InvalidArgVal")

    with pytest.raises(DeviceRefused) as refused:
        await bounded(refuse(), 1, "op")
    assert isinstance(refused.value.__cause__, zeep.exceptions.Fault)
    assert await bounded(asyncio.sleep(0, result=7), 1, "op") == 7


async def test_bounded_lets_our_bugs_through() -> None:
    async def buggy() -> None:
        raise KeyError("oops")

    with pytest.raises(KeyError):
        await bounded(buggy(), 1, "op")
