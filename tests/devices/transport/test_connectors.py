"""Byte transports over real pseudo-terminals and loopback sockets."""

from __future__ import annotations

import asyncio
import os
import socket

import pytest

from devices.rooms_file.device_config import SerialLink, TcpLink, UdpLink
from devices.errors import ConfigError, DeviceOffline
from devices.transport.connectors import (
    SerialConnector,
    TcpConnector,
    UdpConnector,
    connector_for,
)
from tests.devices.transport.line_peer import LinePeer
from tests.support.wait import until


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()
        self.lost: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.data += data

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.lost.done():
            self.lost.set_result(exc)

    async def wait_for(self, expected: bytes) -> None:
        await until(
            lambda: expected in self.data,
            what=f"{expected!r}",
            describe=lambda: f"received {bytes(self.data)!r}",
        )


async def test_tcp_round_trip_and_drop() -> None:
    peer = LinePeer()
    port = await peer.start()
    sink = Sink()
    transport = await TcpConnector("127.0.0.1", port).open(sink)
    transport.write(b"PING\r")
    await sink.wait_for(b"=PING\r")
    peer.drop()
    assert await asyncio.wait_for(sink.lost, 2) is None
    with pytest.raises(DeviceOffline):
        transport.write(b"late\r")
    await peer.stop()


async def test_tcp_refused_is_device_offline() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(DeviceOffline, match=f"tcp 127.0.0.1:{port}"):
        await TcpConnector("127.0.0.1", port).open(Sink())


async def test_udp_datagrams_and_icmp_unreachable_ends_the_link() -> None:
    peer = LinePeer(udp=True)
    port = await peer.start()
    sink = Sink()
    transport = await UdpConnector("127.0.0.1", port).open(sink)
    assert transport.datagram
    transport.write(b"PING")
    await sink.wait_for(b"=PING\r")
    await peer.stop()
    transport.write(b"anyone?")  # the kernel answers with ICMP port unreachable
    assert isinstance(await asyncio.wait_for(sink.lost, 2), ConnectionRefusedError)


async def test_serial_over_a_real_pty() -> None:
    master, slave = os.openpty()
    loop = asyncio.get_running_loop()
    received = bytearray()
    loop.add_reader(master, lambda: received.extend(os.read(master, 100)))
    try:
        sink = Sink()
        transport = await SerialConnector(os.ttyname(slave), 9600).open(sink)
        transport.write(b"\x81\x09\x04\x00\xff")
        await until(lambda: received, what="the command on the pty")
        assert bytes(received) == b"\x81\x09\x04\x00\xff"
        os.write(master, b"\x90\x50\x02\xff")
        await sink.wait_for(b"\x90\x50\x02\xff")
        transport.close()
        assert await asyncio.wait_for(sink.lost, 2) is None
    finally:
        loop.remove_reader(master)
        os.close(master)
        os.close(slave)


async def test_serial_pyserial_url_reaches_a_tcp_gateway() -> None:
    peer = LinePeer()
    port = await peer.start()
    sink = Sink()
    transport = await SerialConnector(f"socket://127.0.0.1:{port}").open(sink)
    transport.write(b"HELLO\r")
    await sink.wait_for(b"=HELLO\r")
    transport.close()
    await peer.stop()


async def test_serial_missing_device_is_offline_and_bad_url_is_config_error() -> None:
    with pytest.raises(DeviceOffline, match="/dev/ttyNOPE"):
        await SerialConnector("/dev/ttyNOPE").open(Sink())
    with pytest.raises(ConfigError, match="nosuchscheme"):
        await SerialConnector("nosuchscheme://x").open(Sink())


def test_connector_for_each_link_kind() -> None:
    assert connector_for(SerialLink(port="/dev/ttyUSB0", baudrate=38400)) == SerialConnector(
        "/dev/ttyUSB0", 38400
    )
    assert connector_for(TcpLink(host="10.0.0.5", port=5678)) == TcpConnector("10.0.0.5", 5678)
    udp = connector_for(UdpLink(host="10.0.0.5", port=52381))
    assert udp == UdpConnector("10.0.0.5", 52381)
    assert udp.description == "udp 10.0.0.5:52381"
