"""The channels between media workers that carry one class across processes.

Each worker listens on `<dir>/shard-<i>.sock`, a UNIX `SOCK_SEQPACKET` socket: reliable,
ordered, with message boundaries, and the peer's death is an end of file. A worker that is
the home of a class connects to every other worker (it may place subscribers there); a
worker accepts connections from homes and serves each with a `ShardHost`. Media datagrams
that a full socket cannot take are dropped (the shard's subscribers recover at the next key
frame, as slow subscribers do); control datagrams wait in order. The datagrams themselves
are classroom/relay/shards/wire.py.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
from pathlib import Path
from typing import Callable

from classroom.participant_media import MediaPeerFactory
from classroom.relay.shards.home import ShardedMedia
from classroom.relay.shards.mirror import ShardHost
from classroom.relay.shards.wire import MAX_DATAGRAM, MediaPacket, WireError, decode

logger = logging.getLogger(__name__)

SOCKET_BUFFER = 4 * 1024 * 1024  # ~3,500 video packets: a shard busy for a moment loses none
RECONNECT_S = 0.5
MAX_BACKLOG = 10_000  # control datagrams waiting for a full socket


def socket_path(directory: Path, index: int) -> Path:
    return directory / f"shard-{index}.sock"


class SeqpacketLink:
    """One end of a worker-to-worker channel on the event loop (a `ShardLink` at home)."""

    def __init__(self, name: str, sock: socket.socket, on_datagram: Callable[[bytes], None], on_lost: Callable[[], None]):
        self.name = name
        self._sock = sock
        self._on_datagram = on_datagram
        self._on_lost = on_lost
        self._backlog: collections.deque[bytes] = collections.deque()
        self._buffer = bytearray(MAX_DATAGRAM)
        self._view = memoryview(self._buffer)
        self._loop = asyncio.get_running_loop()
        self.closed = False
        sock.setblocking(False)
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, option, SOCKET_BUFFER)
        self._loop.add_reader(sock.fileno(), self._readable)

    def send_media(self, datagram: bytes) -> bool:
        if self._backlog or self.closed:
            return False
        try:
            self._sock.send(datagram)
            return True
        except BlockingIOError:
            return False
        except OSError:
            self._lose()
            return False

    def send_control(self, datagram: bytes) -> None:
        if self.closed:
            return
        if not self._backlog:
            try:
                self._sock.send(datagram)
                return
            except BlockingIOError:
                self._loop.add_writer(self._sock.fileno(), self._writable)
            except OSError:
                self._lose()
                return
        if len(self._backlog) >= MAX_BACKLOG:
            logger.error("shard channel %s: the other worker reads nothing; closing it", self.name)
            self._lose()
            return
        self._backlog.append(datagram)

    def _writable(self) -> None:
        while self._backlog:
            try:
                self._sock.send(self._backlog[0])
            except BlockingIOError:
                return
            except OSError:
                self._lose()
                return
            self._backlog.popleft()
        self._loop.remove_writer(self._sock.fileno())

    def _readable(self) -> None:
        for _ in range(256):  # then let the loop run other work
            try:
                # Into one buffer: recv(MAX_DATAGRAM) would allocate 200 KiB per packet (~35 µs).
                size = self._sock.recv_into(self._buffer)
            except BlockingIOError:
                return
            except OSError:
                self._lose()
                return
            if not size:
                self._lose()
                return
            self._on_datagram(bytes(self._view[:size]))

    def _lose(self) -> None:
        if self.closed:
            return
        self.close()
        self._on_lost()

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(ValueError, OSError):
            self._loop.remove_reader(self._sock.fileno())
            self._loop.remove_writer(self._sock.fileno())
        self._sock.close()


class ShardNetwork:
    """This worker's part: a shard for other workers' classes, a home for its own."""

    def __init__(self, directory: Path, index: int, count: int, home: ShardedMedia, peers: MediaPeerFactory):
        self.directory = directory
        self.index = index
        self.count = count
        self.home = home
        self._peers = peers
        self._listener: socket.socket | None = None
        self._hosts: dict[SeqpacketLink, ShardHost] = {}
        self._links: dict[int, SeqpacketLink] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def listen(self) -> None:
        path = socket_path(self.directory, self.index)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by this worker's previous life
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(os.fspath(path))
        listener.listen(64)
        listener.setblocking(False)
        self._listener = listener
        asyncio.get_running_loop().add_reader(listener.fileno(), self._accept)

    def start(self) -> None:
        for other in range(self.count):
            if other != self.index:
                self._tasks.append(asyncio.create_task(self._keep_connected(other)))

    def _accept(self) -> None:
        assert self._listener is not None
        try:
            sock, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        host_box: list[ShardHost] = []

        def lost() -> None:
            host = self._hosts.pop(link, None)
            if host is not None:
                asyncio.ensure_future(host.close())

        link = SeqpacketLink("home", sock, lambda data: host_box[0].on_datagram(data), lost)
        host = ShardHost(link.send_control, self._peers, asyncio.get_running_loop().call_later)
        host_box.append(host)
        self._hosts[link] = host

    async def _keep_connected(self, other: int) -> None:
        """Be the home towards worker `other`: connect, and connect again after it restarts."""
        path = os.fspath(socket_path(self.directory, other))
        loop = asyncio.get_running_loop()
        while True:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            sock.setblocking(False)
            try:
                await loop.sock_connect(sock, path)
            except OSError:
                sock.close()
                await asyncio.sleep(RECONNECT_S)
                continue
            await self._be_home(other, sock)
            await asyncio.sleep(RECONNECT_S)

    async def _be_home(self, other: int, sock: socket.socket) -> None:
        """Use worker `other` as a shard until its channel closes; then its subscribers rejoin."""
        gone = asyncio.get_running_loop().create_future()

        def datagram(data: bytes) -> None:
            try:
                message = decode(data)
            except WireError as exc:
                logger.warning("shard %d sent a malformed datagram: %s", other, exc)
                return
            if not isinstance(message, MediaPacket):
                self.home.on_control(link, message)

        def lost() -> None:
            if not gone.done():
                gone.set_result(None)

        link = SeqpacketLink(f"worker-{other}", sock, datagram, lost)
        self._links[other] = link
        self.home.shard_ready(link)
        logger.info("media worker %d: shard channel to worker %d open", self.index, other)
        try:
            await gone
        finally:
            del self._links[other]
        logger.warning("media worker %d: worker %d is gone; its subscribers rejoin", self.index, other)
        self.home.shard_lost(link)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for link in list(self._links.values()):
            link.close()
        for link, host in list(self._hosts.items()):
            link.close()
            await host.close()
        self._hosts.clear()
        if self._listener is not None:
            with contextlib.suppress(ValueError, OSError):
                asyncio.get_running_loop().remove_reader(self._listener.fileno())
            self._listener.close()


def sharding(
    directory: Path, index: int, count: int, threshold: int, made: list[ShardNetwork]
) -> Callable[[MediaPeerFactory], MediaPeerFactory]:
    """`build_hub`'s media wrapper for worker `index`: its classes may use the other workers;
    the network it builds is appended to `made`."""

    def wrap(local: MediaPeerFactory) -> MediaPeerFactory:
        home = ShardedMedia(local, threshold)
        made.append(ShardNetwork(directory, index, count, home, local))
        return home

    return wrap
