"""A scripted line-protocol device on 127.0.0.1 for transport tests (TCP and UDP).

Lines end in CR. ``answer(line)`` returns the bytes to send back (or None to stay silent).
The peer records when each line arrived, can drop its connections, and can be restarted on
the same port to test reconnects.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import cast

Answer = Callable[[bytes], bytes | None]


def echo(line: bytes) -> bytes:
    return b"=" + line + b"\r"


class LinePeer:
    def __init__(self, answer: Answer = echo, *, udp: bool = False) -> None:
        self.answer = answer
        self.udp = udp
        self.port = 0
        self.received: list[tuple[float, bytes]] = []
        self.connections = 0
        self._server: asyncio.Server | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        loop = asyncio.get_running_loop()
        if self.udp:
            self._udp, _ = await loop.create_datagram_endpoint(
                lambda: _UdpPeer(self), local_addr=("127.0.0.1", self.port)
            )
            self.port = self._udp.get_extra_info("sockname")[1]
        else:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
            self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._udp is not None:
            protocol = cast(_UdpPeer, self._udp.get_protocol())
            self._udp.close()
            await protocol.closed  # the socket is really gone: datagrams now bounce
            self._udp = None

    def drop(self) -> None:
        """Close every open TCP connection (the device was unplugged)."""
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def push(self, data: bytes) -> None:
        """Send bytes nobody asked for to every connected client."""
        for writer in self._writers:
            writer.write(data)

    def handle(self, line: bytes) -> bytes | None:
        self.received.append((time.monotonic(), line))
        return self.answer(line)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        try:
            while line := await reader.readuntil(b"\r"):
                reply = self.handle(line[:-1])
                if reply:
                    writer.write(reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


class _UdpPeer(asyncio.DatagramProtocol):
    def __init__(self, peer: LinePeer) -> None:
        self.peer = peer
        self.transport: asyncio.DatagramTransport | None = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        reply = self.peer.handle(data.rstrip(b"\r"))
        if reply and self.transport is not None:
            self.transport.sendto(reply, addr)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set_result(None)
