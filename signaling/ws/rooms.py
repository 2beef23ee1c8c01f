"""The rooms WebSocket, ``/ws/rooms``: live status for the technician console and lecturers.

Protocol (version 1; also in docs/rooms.md). The client's first message, within 10 s:
``{"type": "hello", "v": 1, "token": "<credential>"}`` (the credential travels in the message,
not the URL, so it stays out of access logs). The server answers ``welcome`` with who the
client is, every room it may see (devices, scenes, positions, the last scene run) and the
recent event log; then pushes ``device``, ``scene`` and ``log`` events (devices/room/events.py)
of those rooms as they happen. ``{"type": "ping"}`` is answered with ``pong``. Commands go
through the REST API. A client that does not read its events is disconnected (close code
1013) and gets a fresh ``welcome`` when it reconnects; refusals are an ``error`` message
with the REST API's codes, then close code 1008.

The welcome snapshot is taken and the subscriptions made in one step of the event loop, so
no event falls between them and none arrives twice.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from devices.room.events import LogEntry, RoomEvent
from devices.room.room_view import RoomView
from signaling.errors import SignalingError
from signaling.auth.room_access import AccessDenied, Principal, PrincipalKind
from signaling.server.rooms import RoomsStarting
from signaling.server.state import server_of

log = logging.getLogger(__name__)
router = APIRouter()

PROTOCOL_VERSION = 1
HELLO_TIMEOUT_S = 10.0
READY_TIMEOUT_S = 30.0
QUEUE_LIMIT = 2000  # events waiting for a slow client
MAX_MESSAGE = 4096
WELCOME_LOG = 100


class Hello(BaseModel):
    type: Literal["hello"]
    v: int
    token: str = Field(max_length=4096)


class Ping(BaseModel):
    type: Literal["ping"]


ClientMessage = TypeAdapter(Annotated[Union[Hello, Ping], Field(discriminator="type")])


class PrincipalInfo(BaseModel):
    kind: PrincipalKind
    name: str
    room: str | None


class Welcome(BaseModel):
    type: Literal["welcome"] = "welcome"
    v: int = PROTOCOL_VERSION
    principal: PrincipalInfo
    rooms: list[RoomView]
    log: list[LogEntry]


class Pong(BaseModel):
    type: Literal["pong"] = "pong"


class ErrorMessage(BaseModel):
    type: Literal["error"] = "error"
    code: str
    message: str


_CLOSE = object()


@router.websocket("/ws/rooms")
async def rooms_socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await RoomFeed(websocket).run()


class RoomFeed:
    """One console connection: a reader (hello, pings), a writer, and room subscriptions."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self.rooms = server_of(websocket.app).rooms
        self.credentials = server_of(websocket.app).room_credentials
        self.queue: asyncio.Queue[Any] = asyncio.Queue()
        self.close_code = 1000
        self._unsubscribe: list[Any] = []

    async def run(self) -> None:
        writer: asyncio.Task[None] | None = None
        try:
            principal = await self._hello()
            if principal is None:
                return
            self._subscribe(principal)
            writer = asyncio.create_task(self._write_loop())
            await self._read_loop()
        except WebSocketDisconnect:
            pass
        finally:
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self.queue.put_nowait(_CLOSE)
            if writer is not None:
                await asyncio.gather(writer, return_exceptions=True)
            elif self.ws.client_state is WebSocketState.CONNECTED:
                await self._close()

    async def _hello(self) -> Principal | None:
        try:
            raw = await asyncio.wait_for(self.ws.receive_text(), HELLO_TIMEOUT_S)
            message = ClientMessage.validate_json(raw[:MAX_MESSAGE])
        except TimeoutError:
            await self._refused("hello_timeout", "no hello message in time")
            return None
        except (ValidationError, KeyError):
            await self._refused("bad_message", "the first message must be hello with v and token")
            return None
        if not isinstance(message, Hello):
            await self._refused("bad_message", "the first message must be hello")
            return None
        if message.v != PROTOCOL_VERSION:
            await self._refused(
                "unsupported_version", f"this server speaks version {PROTOCOL_VERSION}, not {message.v}"
            )
            return None
        try:
            principal = await run_in_threadpool(self.credentials.principal, message.token)
        except AccessDenied as error:
            await self._refused(error.code, error.message)
            return None
        if not (principal.staff or (principal.kind is PrincipalKind.LECTURER and principal.room)):
            await self._refused("forbidden", f"a {principal.kind.value} may not watch rooms")
            return None
        try:
            await asyncio.wait_for(self.rooms.ready.wait(), READY_TIMEOUT_S)
            self.rooms.controllers()  # raises when the rooms failed to start
        except (TimeoutError, RoomsStarting) as error:
            code = error.code if isinstance(error, SignalingError) else "rooms_starting"
            await self._refused(code, str(error) or "the rooms are still starting")
            return None
        return principal

    def _subscribe(self, principal: Principal) -> None:
        """Snapshot and subscriptions with no await in between (see the module docstring)."""
        controllers = [c for c in self.rooms.controllers() if principal.sees(c.name)]
        entries = sorted((e for c in controllers for e in c.recent(WELCOME_LOG)), key=lambda e: e.at)
        info = PrincipalInfo(kind=principal.kind, name=principal.name, room=principal.room)
        welcome = Welcome(principal=info, rooms=[c.view() for c in controllers], log=entries[-WELCOME_LOG:])
        self.queue.put_nowait(welcome)
        self._unsubscribe = [c.subscribe(self._push) for c in controllers]

    def _push(self, event: RoomEvent) -> None:
        if self.queue.qsize() >= QUEUE_LIMIT:
            log.warning("a rooms client is not reading its events; disconnecting it")
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe = []
            self.close_code = 1013
            self.queue.put_nowait(_CLOSE)
            return
        self.queue.put_nowait(event)

    async def _read_loop(self) -> None:
        while True:
            try:
                raw = await self.ws.receive_text()
                message = ClientMessage.validate_json(raw[:MAX_MESSAGE])
            except (ValidationError, KeyError):  # KeyError: a binary frame
                self.queue.put_nowait(ErrorMessage(code="bad_message", message="expected ping"))
                continue
            if isinstance(message, Ping):
                self.queue.put_nowait(Pong())

    async def _write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is _CLOSE:
                break
            try:
                await self.ws.send_text(item.model_dump_json())
            except (WebSocketDisconnect, RuntimeError, OSError):
                return
        await self._close()

    async def _refused(self, code: str, message: str) -> None:
        """Tell the client why (an `error`) and close with 1008."""
        try:
            await self.ws.send_text(ErrorMessage(code=code, message=message).model_dump_json())
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        self.close_code = 1008
        await self._close()

    async def _close(self) -> None:
        if self.ws.client_state is WebSocketState.CONNECTED:
            try:
                await self.ws.close(self.close_code)
            except (WebSocketDisconnect, RuntimeError, OSError):
                pass
