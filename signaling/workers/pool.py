"""Media worker processes, one per core: the server process routes each class to one of them.

With `workers: N > 1` the server process only serves HTTP and WebSockets; every signaling
connection is piped, frame by frame, to the worker that carries its class (the first
connection of a class picks the least-loaded worker). A worker that dies takes its
connections with it (clients reconnect on their own) and is started again.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from classroom.checkin.register import CheckInView
from signaling.api.metrics import ProcessStats
from signaling.server.settings import Settings
from signaling.workers.ipc import (
    CheckInNote,
    Close,
    Decoder,
    EndClass,
    Frame,
    Gone,
    IpcError,
    Message,
    Open,
    Ready,
    StatsReply,
    StatsRequest,
    ToWorker,
    encode,
    read_messages,
)

logger = logging.getLogger(__name__)

RESTART_DELAY_S = 1.0
STATS_TIMEOUT_S = 2.0
PIPE_LIMIT = 1024  # frames queued for one client; past this it is not reading


@dataclass
class Pipe:
    """One client's WebSocket in the server process: frames from its worker wait here."""

    websocket: WebSocket
    conn: int
    outgoing: asyncio.Queue[Frame | Close] = field(default_factory=asyncio.Queue)

    def put(self, message: Frame | Close) -> None:
        if self.outgoing.qsize() >= PIPE_LIMIT:
            message = Close(self.conn, 1008, "too_slow")
        self.outgoing.put_nowait(message)

    def close(self, code: int, reason: str) -> None:
        self.put(Close(self.conn, code, reason))

    async def write(self) -> None:
        """Forward frames to the client until a close (a slow client delays only itself)."""
        while True:
            message = await self.outgoing.get()
            try:
                if isinstance(message, Frame):
                    await self.websocket.send_text(message.text)
                    continue
                if self.websocket.client_state is WebSocketState.CONNECTED:
                    await self.websocket.close(message.code, message.reason)
            except (WebSocketDisconnect, RuntimeError, OSError):
                pass
            return


def worker_settings(settings: Settings) -> dict[str, Any]:
    """The server's settings for a worker, secrets included (they travel over a pipe)."""

    def reveal(value: Any) -> Any:
        if isinstance(value, SecretStr):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {k: reveal(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [reveal(v) for v in value]
        if hasattr(value, "__fspath__"):
            return str(value)
        return value

    data = reveal(settings.model_dump())
    data["workers"] = 1
    return data


@dataclass
class WorkerProcess:
    index: int
    process: asyncio.subprocess.Process
    writer: asyncio.StreamWriter
    reader: asyncio.StreamReader
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    sockets: dict[int, Pipe] = field(default_factory=dict)
    pending: dict[int, asyncio.Future[StatsReply]] = field(default_factory=dict)
    alive: bool = True

    def send(self, message: ToWorker) -> None:
        if self.alive and not self.writer.is_closing():
            self.writer.write(encode(message))


class WorkerPool:
    """Implements `classroom.live.LiveClasses` for the REST API, over the workers."""

    def __init__(self, settings: Settings, count: int):
        self.settings = settings
        self.count = count
        self.workers: list[WorkerProcess | None] = [None] * count
        self.routes: dict[str, tuple[int, int]] = {}  # class id → (worker index, open connections)
        self._ids = itertools.count(1)
        self._stopping = False
        self._tasks: set[asyncio.Task[None]] = set()
        # One class across workers: their shard sockets (signaling/workers/shards.py).
        self.shard_dir = (
            Path(tempfile.mkdtemp(prefix="classbridge-shards-"))
            if count > 1 and settings.shard_class_above is not None
            else None
        )

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn(i) for i in range(self.count)))

    async def stop(self) -> None:
        self._stopping = True
        for worker in self.workers:
            if worker is not None:
                worker.writer.close()
        for worker in self.workers:
            if worker is not None:
                try:
                    await asyncio.wait_for(worker.process.wait(), 10)
                except asyncio.TimeoutError:
                    worker.process.kill()
        if self.shard_dir is not None:
            shutil.rmtree(self.shard_dir, ignore_errors=True)

    async def _spawn(self, index: int) -> None:
        ours, theirs = socket.socketpair()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "signaling.workers.process",
            "--fd",
            str(theirs.fileno()),
            "--index",
            str(index),
            *(("--shard-dir", str(self.shard_dir), "--workers", str(self.count)) if self.shard_dir else ()),
            stdin=asyncio.subprocess.PIPE,
            pass_fds=(theirs.fileno(),),
        )
        theirs.close()
        assert process.stdin is not None
        process.stdin.write(json.dumps(worker_settings(self.settings)).encode())
        process.stdin.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        worker = WorkerProcess(index, process, writer, reader)
        self.workers[index] = worker
        task = asyncio.create_task(self._read(worker))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        await asyncio.wait_for(worker.ready.wait(), 60)
        logger.info("media worker %d started (pid %d)", index, process.pid)

    async def _read(self, worker: WorkerProcess) -> None:
        decoder = Decoder()
        try:
            while True:
                messages = await read_messages(worker.reader, decoder)
                if not messages:
                    break
                for message in messages:
                    await self._dispatch(worker, message)
        except (IpcError, ConnectionError) as exc:
            logger.error("media worker %d sent garbage: %s", worker.index, exc)
        await self._lost(worker)

    async def _dispatch(self, worker: WorkerProcess, message: Message) -> None:
        match message:
            case Frame(conn):
                if (pipe := worker.sockets.get(conn)) is not None:
                    pipe.put(message)
            case Close(conn):
                if (pipe := worker.sockets.pop(conn, None)) is not None:
                    pipe.put(message)
            case StatsReply(request):
                future = worker.pending.pop(request, None)
                if future is not None and not future.done():
                    future.set_result(message)
            case Ready():
                worker.ready.set()
            case _:
                logger.warning("unexpected message from media worker %d: %r", worker.index, message)

    async def _lost(self, worker: WorkerProcess) -> None:
        worker.alive = False
        code = await worker.process.wait()
        for pipe in worker.sockets.values():
            pipe.close(1012, "service restart")  # clients reconnect by themselves
        worker.sockets.clear()
        for future in worker.pending.values():
            if not future.done():
                future.set_exception(ConnectionError("worker gone"))
        self.routes = {c: r for c, r in self.routes.items() if r[0] != worker.index}
        if self._stopping:
            return
        logger.error("media worker %d exited with %s; starting it again", worker.index, code)
        await asyncio.sleep(RESTART_DELAY_S)
        await self._spawn(worker.index)

    # ---- signaling connections ------------------------------------------------------------------

    def _route(self, class_id: str) -> WorkerProcess:
        index, open_connections = self.routes.get(class_id, (None, 0))
        if index is None or self.workers[index] is None or not self.workers[index].alive:  # type: ignore[union-attr]
            load = {i: 0 for i, w in enumerate(self.workers) if w is not None and w.alive}
            if not load:
                raise ConnectionError("no media worker is running")
            for i, n in self.routes.values():
                if i in load:
                    load[i] += n
            index = min(load, key=lambda i: (load[i], i))
            open_connections = 0
        self.routes[class_id] = (index, open_connections + 1)
        worker = self.workers[index]
        assert worker is not None
        return worker

    def _unroute(self, class_id: str) -> None:
        index, open_connections = self.routes.get(class_id, (0, 0))
        if open_connections <= 1:
            self.routes.pop(class_id, None)
        else:
            self.routes[class_id] = (index, open_connections - 1)

    async def serve(self, websocket: WebSocket, class_id: str) -> None:
        """Pipe one accepted WebSocket to the worker of its class until either side closes."""
        try:
            worker = self._route(class_id)
        except ConnectionError:
            await websocket.close(1013, "try again later")
            return
        conn_id = next(self._ids)
        pipe = Pipe(websocket, conn_id)
        worker.sockets[conn_id] = pipe
        worker.send(Open(conn_id, class_id))
        writer = asyncio.create_task(pipe.write())
        receiving = None
        try:
            while not writer.done():
                receiving = asyncio.ensure_future(websocket.receive())
                await asyncio.wait({receiving, writer}, return_when=asyncio.FIRST_COMPLETED)
                if not receiving.done():
                    break  # the worker closed the connection
                frame = receiving.result()
                if frame["type"] == "websocket.disconnect":
                    break
                text = frame.get("text")
                if text is None:
                    text = (frame.get("bytes") or b"").decode("utf-8", "replace")
                worker.send(Frame(conn_id, text))
        finally:
            if receiving is not None and not receiving.done():
                receiving.cancel()
            worker.send(Gone(conn_id))
            worker.sockets.pop(conn_id, None)
            self._unroute(class_id)
            if not writer.done():
                pipe.close(1000, "done")
            await writer

    # ---- LiveClasses and metrics ----------------------------------------------------------------

    async def end_class(self, class_id: str) -> None:
        route = self.routes.get(class_id)
        if route is not None and (worker := self.workers[route[0]]) is not None:
            worker.send(EndClass(class_id))

    async def checkin_changed(self, checkin: CheckInView) -> None:
        route = self.routes.get(checkin.class_id)
        if route is not None and (worker := self.workers[route[0]]) is not None:
            out = checkin.checked_out_at.isoformat() if checkin.checked_out_at else ""
            worker.send(
                CheckInNote(checkin.class_id, checkin.external_id, checkin.name, checkin.checked_in_at.isoformat(), out)
            )

    def participant_count(self, class_id: str) -> int:
        return self.routes.get(class_id, (0, 0))[1]

    async def stats(self) -> list[tuple[str, ProcessStats]]:
        """(worker label, its counters and gauges) from every live worker."""

        async def one(worker: WorkerProcess) -> tuple[str, ProcessStats] | None:
            request = next(self._ids)
            future: asyncio.Future[StatsReply] = asyncio.get_running_loop().create_future()
            worker.pending[request] = future
            worker.send(StatsRequest(request))
            try:
                reply = await asyncio.wait_for(future, STATS_TIMEOUT_S)
                return str(worker.index), ProcessStats(reply.counters, reply.gauges)
            except (asyncio.TimeoutError, ConnectionError):
                worker.pending.pop(request, None)
                return None

        results = await asyncio.gather(*(one(w) for w in self.workers if w is not None and w.alive))
        return [r for r in results if r is not None]
