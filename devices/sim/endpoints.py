"""Where simulators listen: a loopback TCP listener and the device end of a pseudo-terminal.

Each simulator binds 127.0.0.1 only, port 0 unless configured, and keeps its port across
stop/start so that a driver's reconnect after a "device reboot" can be tested.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tty
from collections.abc import Awaitable, Callable

LOOPBACK = "127.0.0.1"


Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class TcpListener:
    """Accept connections on loopback and run `handler` for each; `stop` closes them all."""

    def __init__(self, handler: Handler, port: int = 0) -> None:
        self._handler = handler
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.writers: set[asyncio.StreamWriter] = set()

    @property
    def address(self) -> str:
        return f"{LOOPBACK}:{self.port}"

    async def start(self) -> str:
        """Listen (on the same port as before after a restart); return `host:port`."""
        self._server = await asyncio.start_server(self._accept, LOOPBACK, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.address

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self.writers):
            writer.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.writers.add(writer)
        try:
            await self._handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # stop() ends sessions; ending normally keeps asyncio's server callback quiet
        finally:
            self.writers.discard(writer)
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def broadcast(self, data: bytes) -> None:
        """Send to every connected client (unsolicited reports, meter frames)."""
        for writer in list(self.writers):
            if not writer.is_closing():
                writer.write(data)


class PtyPort:
    """The device end of a pseudo-terminal: drivers open `path` as if it were /dev/ttyUSB0.

    Both ends are put in raw mode so the line discipline passes every byte (0xAA, 0xFF, CR)
    untouched. We keep our own handle on the slave so the master does not see EIO between a
    driver closing the port and opening it again. A pty ignores baud rate and has no
    hang-up, so a "drop" fault on a serial line can only go quiet.
    """

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._master)
        tty.setraw(self._slave)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self._incoming: asyncio.Queue[bytes] = asyncio.Queue()
        self._loop = asyncio.get_running_loop()
        self._loop.add_reader(self._master, self._readable)

    def _readable(self) -> None:
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if data:
            self._incoming.put_nowait(data)

    async def read(self) -> bytes:
        return await self._incoming.get()

    def write(self, data: bytes) -> None:
        """Send bytes; if nobody reads the port and its buffer is full they are lost, as on a wire."""
        with contextlib.suppress(BlockingIOError):
            os.write(self._master, data)

    def close(self) -> None:
        self._loop.remove_reader(self._master)
        os.close(self._master)
        os.close(self._slave)
