"""Byte transports: serial lines (device paths and pyserial URLs), TCP and UDP.

A `Connector` knows where a device is and opens a `ByteTransport` to it; bytes that arrive are
pushed to a `ByteSink` (the link), and so is the end of the connection. Connectors only move
bytes: framing, timeouts and retries belong to the link. Library exceptions (pyserial, OSError)
are translated here, at the edge, into `DeviceOffline` / `ConfigError`.
"""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

import serial
import serial_asyncio_fast

from devices.errors import ConfigError, DeviceOffline

if TYPE_CHECKING:  # devices.rooms_file.device_config imports the facades, which import this package
    from devices.rooms_file.device_config import SerialLink, TcpLink, UdpLink


class ByteSink(Protocol):
    """Where a transport delivers what it receives."""

    def data_received(self, data: bytes) -> None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...


class ByteTransport(Protocol):
    """An open byte channel. ``datagram`` transports deliver whole packets to the sink."""

    datagram: bool

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


class Connector(Protocol):
    """Opens a transport to one device; ``description`` names the endpoint in logs and errors."""

    @property
    def description(self) -> str: ...

    async def open(self, sink: ByteSink) -> ByteTransport: ...


class _StreamAdapter(asyncio.Protocol):
    """Forwards an asyncio stream transport's callbacks to a sink."""

    def __init__(self, sink: ByteSink) -> None:
        self._sink = sink

    def data_received(self, data: bytes) -> None:
        self._sink.data_received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self._sink.connection_lost(exc)


class _DatagramAdapter(asyncio.DatagramProtocol):
    """Forwards datagrams to a sink; an ICMP error (nobody listening) ends the 'connection'."""

    def __init__(self, sink: ByteSink) -> None:
        self._sink = sink
        self._transport: asyncio.DatagramTransport | None = None
        self._error: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: object) -> None:
        self._sink.data_received(data)

    def error_received(self, exc: Exception) -> None:
        self._error = exc
        if self._transport is not None:
            self._transport.abort()  # asyncio then calls connection_lost

    def connection_lost(self, exc: Exception | None) -> None:
        self._sink.connection_lost(exc or self._error)


class _Opened:
    """The ByteTransport handed to the link: a thin wrapper over an asyncio transport."""

    def __init__(self, transport: asyncio.BaseTransport, datagram: bool) -> None:
        self._transport = transport
        self.datagram = datagram

    def write(self, data: bytes) -> None:
        if self._transport.is_closing():
            raise DeviceOffline("connection is closed")
        if self.datagram:
            cast(asyncio.DatagramTransport, self._transport).sendto(data)
        else:
            cast(asyncio.WriteTransport, self._transport).write(data)

    def close(self) -> None:
        self._transport.close()


@dataclass
class SerialConnector:
    """An RS-232/RS-422 line: a device path, a pty slave, or a pyserial URL.

    URLs use pyserial's ``serial_for_url`` semantics, so ``socket://gateway:4001`` reaches a
    serial-to-IP gateway and ``rfc2217://`` a telnet-controlled one; 8N1 at ``baudrate``.
    """

    port: str
    baudrate: int = 9600

    @property
    def description(self) -> str:
        return f"serial {self.port} @{self.baudrate}"

    async def open(self, sink: ByteSink) -> ByteTransport:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await serial_asyncio_fast.create_serial_connection(
                loop, lambda: _StreamAdapter(sink), self.port, baudrate=self.baudrate
            )
        except ValueError as exc:  # pyserial: unknown URL scheme or bad parameter
            raise ConfigError(f"{self.description}: {exc}") from exc
        except (serial.SerialException, OSError) as exc:
            raise DeviceOffline(f"{self.description}: {_why(exc)}") from exc
        return _Opened(transport, datagram=False)


@dataclass
class TcpConnector:
    host: str
    port: int

    @property
    def description(self) -> str:
        return f"tcp {self.host}:{self.port}"

    async def open(self, sink: ByteSink) -> ByteTransport:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_connection(
                lambda: _StreamAdapter(sink), self.host, self.port
            )
        except OSError as exc:
            raise DeviceOffline(f"{self.description}: {_why(exc)}") from exc
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # small commands, no Nagle
        return _Opened(transport, datagram=False)


@dataclass
class UdpConnector:
    """A connected UDP socket: only the device's own datagrams reach the sink."""

    host: str
    port: int

    @property
    def description(self) -> str:
        return f"udp {self.host}:{self.port}"

    async def open(self, sink: ByteSink) -> ByteTransport:
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _DatagramAdapter(sink), remote_addr=(self.host, self.port)
            )
        except OSError as exc:
            raise DeviceOffline(f"{self.description}: {_why(exc)}") from exc
        return _Opened(transport, datagram=True)


def _why(exc: OSError) -> str:
    """A short reason: asyncio's connect errors carry an errno but a generic message."""
    if exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc)


def connector_for(link: SerialLink | TcpLink | UdpLink) -> Connector:
    """The connector for a rooms-file link block."""
    if link.transport == "serial":
        return SerialConnector(link.port, link.baudrate)
    if link.transport == "tcp":
        return TcpConnector(link.host, link.port)
    return UdpConnector(link.host, link.port)
