"""A media worker process: the live classes routed to it, their peers and their media.

Started by the server (signaling/workers/pool.py) as `python -m signaling.workers.process --fd N`, with its
settings as JSON on stdin. It serves signaling connections whose frames the server pipes to
it over the socket `N`, with the same `Connection` logic as a single-process server, and its
own database session, join-token checks and relay. Python runs one thread at a time, so one
worker per core is how a server uses every core (mediasoup's model).

Messages: signaling/workers/ipc.py (`ToWorker` in, `ToServer` out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from classroom.checkin.register import CheckInView

from signaling.workers.ipc import (
    Close,
    Decoder,
    CheckInNote,
    EndClass,
    Frame,
    Gone,
    Message,
    Open,
    Ready,
    StatsReply,
    StatsRequest,
    encode,
    read_messages,
)
from signaling.api.metrics import process_stats
from signaling.server import logs
from signaling.ws.connection import Connection, Deps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ShardPlace:
    """Where this worker's shard socket and its siblings' are."""

    directory: Path
    index: int
    count: int


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
        self._writer.write(encode(Frame(self.conn_id, text)))
        await self._writer.drain()

    async def close(self, code: int, reason: str) -> None:
        if not self._closed:
            self._closed = True
            if not self._writer.is_closing():
                self._writer.write(encode(Close(self.conn_id, code, reason)))


class Worker:
    def __init__(self, deps: Deps, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.deps = deps
        self.reader = reader
        self.writer = writer
        self.sockets: dict[int, PipedSocket] = {}
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        self.writer.write(encode(Ready()))
        decoder = Decoder()
        while True:
            messages = await read_messages(self.reader, decoder)
            if not messages:
                break  # the server process is gone
            for message in messages:
                await self._handle(message)
        await self.deps.hub.close()

    async def _handle(self, message: Message) -> None:
        match message:
            case Open(conn, class_id):
                sock = PipedSocket(conn, self.writer)
                self.sockets[conn] = sock
                task = asyncio.create_task(self._serve(sock, class_id))
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)
            case Frame(conn, text):
                if (target := self.sockets.get(conn)) is not None:
                    target.deliver(text)
            case Gone(conn):
                if (target := self.sockets.get(conn)) is not None:
                    target.deliver(None)
            case EndClass(class_id):
                await self.deps.hub.end_class(class_id)
            case CheckInNote(class_id, external_id, name, checked_in_at, checked_out_at):
                await self.deps.hub.checkin_changed(
                    CheckInView(
                        class_id, external_id, name, datetime.fromisoformat(checked_in_at),
                        datetime.fromisoformat(checked_out_at) if checked_out_at else None,
                    )
                )  # fmt: skip
            case StatsRequest(request):
                stats = process_stats(self.deps.hub)
                self.writer.write(encode(StatsReply(request, stats.counters, stats.gauges)))
            case _:
                logger.warning("unexpected message from the server process: %r", message)

    async def _serve(self, sock: PipedSocket, class_id: str) -> None:
        logs.class_id.set(class_id)  # this task's log records name its class
        try:
            await Connection(sock, class_id, self.deps).run()
        finally:
            del self.sockets[sock.conn_id]
            await sock.close(1000, "done")


async def main(fd: int, settings_data: dict[str, Any], shards: ShardPlace | None = None, index: int = 0) -> None:
    from signaling.server.media import build_hub, connection_terms, freeze_startup_objects
    from signaling.server.services import Services
    from signaling.server.settings import Settings
    from signaling.workers.shards import ShardNetwork, sharding

    settings = Settings.load(**settings_data)
    services = Services.open(settings)
    network: ShardNetwork | None = None
    if shards is not None and settings.shard_class_above is not None:
        network_box: list[ShardNetwork] = []
        hub = build_hub(
            settings,
            services,
            sharding(shards.directory, shards.index, shards.count, settings.shard_class_above, network_box),
            worker=index,
        )
        network = network_box[0]
        network.listen()
    else:
        hub = build_hub(settings, services, worker=index)
    reader, writer = await asyncio.open_connection(sock=socket.socket(fileno=fd))
    deps = Deps(settings, hub, services.tokens, services.attendance, connection_terms(settings))
    freeze_startup_objects()
    seen = asyncio.create_task(services.attendance.keep_seen(settings.attendance.heartbeat_s))
    if network is not None:
        network.start()
    try:
        await Worker(deps, reader, writer).run()
    finally:
        seen.cancel()
        if network is not None:
            await network.close()
        services.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--shard-dir", type=Path, help="where the workers' shard sockets are")
    parser.add_argument("--workers", type=int, default=1, help="how many media workers there are")
    args = parser.parse_args()
    data = json.loads(sys.stdin.read())
    logs.configure(data.get("log_level", "info"), data.get("log_format", "text"), f"worker-{args.index}")
    place = ShardPlace(args.shard_dir, args.index, args.workers) if args.shard_dir else None
    asyncio.run(main(args.fd, data, place, args.index))
