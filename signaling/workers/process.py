"""A media worker process: the live classes routed to it, their peers and their media.

Started by the server (signaling/workers/pool.py) as `python -m signaling.workers.process --fd N`, with its
settings as JSON on stdin. It serves signaling connections whose frames the server pipes to
it over the socket `N`, with the same `Connection` logic as a single-process server, and its
own database session, join-token checks and relay. Python runs one thread at a time, so one
worker per core is how a server uses every core (mediasoup's model).

Messages (signaling/workers/ipc.py), server → worker:
  {"t": "open", "c": id, "class": class_id}   a client connected
  {"t": "frame", "c": id, "d": text}          a frame from it
  {"t": "gone", "c": id}                      it disconnected
  {"t": "end_class", "class": class_id}       the class was ended through the REST API
  {"t": "stats", "r": request_id}             counters and gauges for /metrics
worker → server:
  {"t": "ready"}
  {"t": "frame", "c": id, "d": text}          a frame for the client
  {"t": "close", "c": id, "code": n, "reason": s}
  {"t": "reply", "r": request_id, ...}
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import sys
from typing import Any

from signaling.workers.ipc import Decoder, encode, read_messages
from signaling.api.metrics import process_stats
from signaling.ws.connection import Connection, Deps

logger = logging.getLogger(__name__)


class PipedSocket:
    """A client connection whose frames travel through the server process."""

    def __init__(self, conn_id: int, writer: asyncio.StreamWriter):
        self.conn_id = conn_id
        self._writer = writer
        self._frames: asyncio.Queue[str | None] = asyncio.Queue()
        self._closed = False

    def deliver(self, frame: str | None) -> None:
        self._frames.put_nowait(frame)

    async def receive(self) -> str | bytes | None:
        return await self._frames.get()

    async def send_text(self, text: str) -> None:
        if self._closed or self._writer.is_closing():
            raise ConnectionError("the client has gone")
        self._writer.write(encode({"t": "frame", "c": self.conn_id, "d": text}))
        await self._writer.drain()

    async def close(self, code: int, reason: str) -> None:
        if not self._closed:
            self._closed = True
            if not self._writer.is_closing():
                self._writer.write(encode({"t": "close", "c": self.conn_id, "code": code, "reason": reason}))


class Worker:
    def __init__(self, deps: Deps, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.deps = deps
        self.reader = reader
        self.writer = writer
        self.sockets: dict[int, PipedSocket] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        self.writer.write(encode({"t": "ready"}))
        decoder = Decoder()
        while True:
            messages = await read_messages(self.reader, decoder)
            if not messages:
                break  # the server process is gone
            for message in messages:
                await self._handle(message)
        await self.deps.hub.close()

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["t"]
        if kind == "open":
            sock = PipedSocket(message["c"], self.writer)
            self.sockets[sock.conn_id] = sock
            task = asyncio.create_task(self._serve(sock, message["class"]))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif kind in ("frame", "gone"):
            target = self.sockets.get(message["c"])
            if target is not None:
                target.deliver(message["d"] if kind == "frame" else None)
        elif kind == "end_class":
            await self.deps.hub.end_class(message["class"])
        elif kind == "stats":
            self.writer.write(encode({"t": "reply", "r": message["r"], **process_stats(self.deps.hub)}))
        else:
            logger.warning("unknown message from the server process: %r", kind)

    async def _serve(self, sock: PipedSocket, class_id: str) -> None:
        try:
            await Connection(sock, class_id, self.deps).run()
        finally:
            del self.sockets[sock.conn_id]
            await sock.close(1000, "done")


async def main(fd: int, settings_data: dict[str, Any]) -> None:
    from signaling.server.media import build_hub, connection_terms, freeze_startup_objects
    from signaling.server.services import Services
    from signaling.server.settings import Settings

    settings = Settings.load(**settings_data)
    services = Services.open(settings)
    hub = build_hub(settings, services)
    reader, writer = await asyncio.open_connection(sock=socket.socket(fileno=fd))
    deps = Deps(settings, hub, services.tokens, services.attendance, connection_terms(settings))
    freeze_startup_objects()
    await Worker(deps, reader, writer).run()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--index", type=int, required=True)
    args = parser.parse_args()
    data = json.loads(sys.stdin.read())
    logging.basicConfig(
        level=data.get("log_level", "info").upper(),
        format=f"%(asctime)s worker-{args.index} %(levelname)s %(name)s: %(message)s",
    )
    asyncio.run(main(args.fd, data))
