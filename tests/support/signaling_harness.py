"""The real signaling `Connection` and a real hub, with an in-memory socket instead of a WebSocket.

Everything behind the socket is the server's own: settings, database, join tokens, the
`ClassHub`, the relay's `MediaPeer` (aiortc on loopback). Tests feed frames in and read the
frames and close code that come out, without a network in between.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from classroom import classes
from classroom.relay import aiortc_internals
from classroom.roles import Role
from signaling.server.media import build_hub, connection_terms
from signaling.server.services import Services
from signaling.server.settings import Settings
from signaling.ws.connection import Connection, Deps
from signaling.ws.messages import PROTOCOL_VERSION

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# What the server may close a signaling socket with (docs/protocol.md); 1011 means a bug.
DOCUMENTED_CLOSE_CODES = {1000, 1008, 1009}


def browser_offer() -> str:
    """A publish offer as Chrome sends it (camera and microphone, BUNDLE, trickle ICE)."""
    return (FIXTURES / "chrome_publish_offer.sdp").read_text().replace("\n", "\r\n")


class MemorySocket:
    """A `Socket` whose client is the test: frames in through `feed`, out in `sent`."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None
        self._changed = asyncio.Event()

    def feed(self, frame: str | bytes | None) -> None:
        self.inbox.put_nowait(frame)

    async def receive(self) -> str | bytes | None:
        return await self.inbox.get()

    async def send_text(self, text: str) -> None:
        if self.closed is not None:
            raise ConnectionError("closed")
        self.sent.append(json.loads(text))
        self._changed.set()

    async def close(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = (code, reason)
        self._changed.set()

    async def wait_for(self, what: str, done: Any, timeout: float = 20.0) -> None:
        """Until `done()` holds (checked whenever a frame goes out or the socket closes)."""
        async def loop() -> None:
            while not done():
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(loop(), timeout)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}; sent {self.sent!r}, closed {self.closed}") from None

    def errors(self) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("type") == "error"]


class Session:
    """One client connection served by `Connection.run` as a task."""

    def __init__(self, socket: MemorySocket, task: asyncio.Task[None]):
        self.socket = socket
        self.task = task
        self._pings = 0

    async def send(self, frame: str | bytes) -> None:
        self.socket.feed(frame)

    async def settled(self) -> bool:
        """True once everything sent so far was handled (a ping answered); False if closed."""
        self._pings += 1
        ts = float(self._pings)
        self.socket.feed(json.dumps({"type": "ping", "ts": ts}))
        await self.socket.wait_for(
            f"pong {ts}",
            lambda: self.socket.closed is not None
            or any(m.get("type") == "pong" and m.get("ts") == ts for m in self.socket.sent),
        )
        return self.socket.closed is None

    async def finish(self) -> None:
        """The client goes away; the connection leaves the class."""
        self.socket.feed(None)
        await asyncio.wait_for(self.task, 20)


class SignalingBench:
    """A hub with one live class, served by real `Connection`s on one event loop."""

    def __init__(self, data_dir: Path, **settings: Any):
        self.loop = asyncio.new_event_loop()
        self.settings = Settings.load(data_dir=data_dir, **settings)
        self.services = Services.open(self.settings)
        self.hub = build_hub(self.settings, self.services)
        self.deps = Deps(
            self.settings, self.hub, self.services.tokens, self.services.attendance, connection_terms(self.settings)
        )
        self.class_id = self.new_class()

    def new_class(self) -> str:
        """Another class to join (a test that may end its class uses a fresh one)."""
        return classes.create(self.services.db, "Lớp thử").id

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def join_frame(self, class_id: str | None = None, role: Role = Role.LECTURER) -> str:
        token = self.services.tokens.issue(class_id or self.class_id, role, name="Giảng viên")
        return json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": token})

    async def connect(self, class_id: str | None = None) -> Session:
        socket = MemorySocket()
        task = asyncio.ensure_future(Connection(socket, class_id or self.class_id, self.deps).run())
        return Session(socket, task)

    async def joined(self, role: Role = Role.LECTURER) -> Session:
        session = await self.connect()
        await session.send(self.join_frame(role=role))
        await session.socket.wait_for("joined", lambda: any(m["type"] == "joined" for m in session.socket.sent))
        return session

    def close(self) -> None:
        """Ends whatever a failed test left running, then the hub."""
        self.run(_cancel_the_others())
        self.run(self.hub.close())
        self.loop.run_until_complete(self.loop.shutdown_default_executor())
        self.loop.close()
        aiortc_internals.use_host_addresses(None)


async def _cancel_the_others() -> None:
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@contextmanager
def signaling_bench(data_dir: Path, **settings: Any) -> Iterator[SignalingBench]:
    bench = SignalingBench(data_dir, **settings)
    try:
        yield bench
    finally:
        bench.close()
