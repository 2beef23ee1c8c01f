"""The signaling WebSocket: one connection, one owner (a reader loop, a writer task).

`/ws/{class_id}`: the first message must be `join` with the join token and the protocol
version. Every frame is size-checked, rate-limited and validated (signaling/ws/messages.py)
before class logic sees it; a bad frame gets an `error` with a stable code, and only the
sender is affected. Each error code is logged once per connection.

`Connection` talks to a `Socket`, not to Starlette: the same logic serves a WebSocket in this
process and, with worker processes, frames piped from the main process (signaling/workers/pool.py).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Protocol

from fastapi import APIRouter, WebSocket
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocketDisconnect, WebSocketState

from classroom.attendance import AttendanceLog
from classroom.errors import LiveClassError, ClassEnded, ClassNotFound
from classroom.events import ClassEvent, Dismissal, ParticipantView, Seated
from classroom.hub import ClassHub, Membership
from signaling.auth.tokens import TokenError, TokenService
from signaling.server.settings import Settings
from signaling.ws.admission import JoinAdmission, ServerBusy
from signaling.ws.dispatch import carry_out
from signaling.ws.frames import DISMISSALS, ConnectionTerms, encoded_frame, refusal
from signaling.ws.messages import (
    PROTOCOL_VERSION,
    ClientRequest,
    Error,
    ErrorCode,
    Join,
    Leave,
    MessageError,
    Ping,
    Pong,
    encode,
    parse_client_message,
)
from classroom.token_bucket import TokenBucket
from signaling.server.state import server_of

logger = logging.getLogger(__name__)
router = APIRouter()

JOIN_TIMEOUT_S = 10.0
OUTBOX_LIMIT = 1024  # queued messages; a client this far behind is not reading
_CLOSE = None  # in the outgoing queue: close after what came before
_CLOSE_CODES = {ErrorCode.TOO_LARGE: 1009, ErrorCode.INTERNAL: 1011}


class Socket(Protocol):
    """One client's message pipe, wherever it comes from."""

    async def receive(self) -> str | bytes | None:
        """The next frame; None once the client has gone."""

    async def send_text(self, text: str) -> None:
        """Raises ConnectionError when the client has gone."""

    async def close(self, code: int, reason: str) -> None: ...


@dataclass(frozen=True)
class Deps:
    """What a connection needs from its process: settings, the hub, tokens, attendance, and
    the admission of joins that every connection of the process shares."""

    settings: Settings
    hub: ClassHub
    tokens: TokenService
    attendance: AttendanceLog
    terms: ConnectionTerms
    admission: JoinAdmission = field(init=False)

    def __post_init__(self) -> None:
        limits = self.settings.signaling
        object.__setattr__(self, "admission", JoinAdmission(limits.max_joins_in_progress, limits.max_join_wait_s))


class StarletteSocket:
    def __init__(self, websocket: WebSocket):
        self.websocket = websocket

    async def receive(self) -> str | bytes | None:
        frame = await self.websocket.receive()
        if frame["type"] == "websocket.disconnect":
            return None
        text = frame.get("text")
        return text if text is not None else (frame.get("bytes") or b"")

    async def send_text(self, text: str) -> None:
        try:
            await self.websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError, OSError) as exc:
            raise ConnectionError(str(exc)) from None

    async def close(self, code: int, reason: str) -> None:
        if self.websocket.client_state is WebSocketState.CONNECTED:
            try:
                await self.websocket.close(code, reason)
            except (WebSocketDisconnect, RuntimeError, OSError):
                pass


@router.websocket("/ws/{class_id}")
async def signaling_socket(websocket: WebSocket, class_id: str) -> None:
    state = server_of(websocket.app)
    await websocket.accept()
    if state.workers is not None:
        await state.workers.serve(websocket, class_id)
        return
    if state.connection_deps is None:
        await websocket.close(1013, "signaling is not served here")
        return
    await Connection(StarletteSocket(websocket), class_id, state.connection_deps).run()


class Connection:
    """One client connection; also the participant's `Outbox` once joined."""

    def __init__(self, socket: Socket, class_id: str, deps: Deps):
        self.ws = socket
        self.class_id = class_id
        self.settings = deps.settings
        self.hub = deps.hub
        self.tokens = deps.tokens
        self.attendance = deps.attendance
        self.terms = deps.terms
        self.admission = deps.admission
        limits = self.settings.signaling
        self.limits = limits
        self.bucket = TokenBucket(limits.rate_per_second, limits.rate_burst)
        self.queue: asyncio.Queue[BaseModel | str | None] = asyncio.Queue()  # str: already encoded
        self.membership: Membership | None = None
        self._attendance: asyncio.Future[int] | None = None  # the attendance row, once seated
        self.violations = 0
        self.leave_reason = "disconnected"
        self.close_code = 1000
        self._closing = False
        self._logged: set[ErrorCode] = set()

    # ---- Outbox ---------------------------------------------------------------------------------

    def send(self, event: ClassEvent) -> None:
        if isinstance(event, Seated) and self._attendance is None:
            # Seated now, or later when the lecturer lets them in from the lobby.
            self._attendance = asyncio.ensure_future(self._record_join(event.participant))
        self._send_frame(encoded_frame(event, self.terms))

    def dismiss(self, why: Dismissal) -> None:
        code, message = DISMISSALS[why]
        self.close(code, message)

    # ---- frames -------------------------------------------------------------------------------

    def _send_frame(self, message: BaseModel | str) -> None:
        if self._closing:
            return
        if self.queue.qsize() >= OUTBOX_LIMIT:
            self._log(ErrorCode.INTERNAL, "client is not reading its messages; disconnecting")
            self._shutdown(1008, "too_slow")
            return
        self.queue.put_nowait(message)

    def close(self, code: ErrorCode | None, message: str) -> None:
        if code is not None:
            self._send_frame(Error(code=code, message=message, fatal=True))
            self._shutdown(_CLOSE_CODES.get(code, 1008), code.value)
        else:
            self._shutdown(1000, message)

    def _shutdown(self, close_code: int, reason: str) -> None:
        if self._closing:
            return
        self._closing = True
        self.close_code = close_code
        self.leave_reason = reason.replace(" ", "_")
        self.queue.put_nowait(_CLOSE)

    # ---- loops ----------------------------------------------------------------------------------

    async def run(self) -> None:
        writer = asyncio.create_task(self._write_loop())
        try:
            await self._read_loop()
        except Exception:
            logger.exception("signaling connection to class %s failed", self.class_id)
            self.close(ErrorCode.INTERNAL, "internal error")
        finally:
            await self._leave()
            self._shutdown(self.close_code, self.leave_reason)
            try:
                await asyncio.wait_for(writer, 5)
            except (asyncio.TimeoutError, Exception):
                writer.cancel()

    async def _read_loop(self) -> None:
        while not self._closing:
            timeout = self.limits.keepalive_timeout_s if self.membership else JOIN_TIMEOUT_S
            receive = asyncio.ensure_future(self.ws.receive())
            done, _ = await asyncio.wait({receive}, timeout=timeout)
            if not done:
                receive.cancel()
                code = ErrorCode.KEEPALIVE_TIMEOUT
                self.close(code, f"no message for {timeout:.0f} s" if self.membership else "no join message in time")
                return
            raw = receive.result()
            if raw is None:
                return
            await self._handle_frame(raw)

    async def _handle_frame(self, raw: str | bytes) -> None:
        if not self.bucket.take():
            self._reject(MessageError(ErrorCode.RATE_LIMITED, "too many messages; slow down"))
            return
        try:
            message = parse_client_message(raw, self.limits.max_message_bytes)
            if self.membership is None:
                await self._join(message)
            elif isinstance(message, Join):
                raise MessageError(ErrorCode.ALREADY_JOINED, "already joined", ref="join")
            elif isinstance(message, Ping):
                self._send_frame(Pong(ts=message.ts))
            elif isinstance(message, Leave):
                self.close(None, "left")
                await self._leave()
            else:
                await carry_out(self.membership.live, self.membership.seat, message)
        except MessageError as error:
            self._reject(error)

    def _reject(self, error: MessageError) -> None:
        self._log(error.code, error.message)
        if error.fatal:
            self.close(error.code, error.message)
            return
        self._send_frame(Error(code=error.code, message=error.message, ref=error.ref))
        if error.code not in (ErrorCode.INVALID_SDP, ErrorCode.INVALID_CANDIDATE, ErrorCode.NOT_ALLOWED):
            self.violations += 1
            if self.violations > self.limits.max_violations:
                self.close(error.code, "too many invalid messages")

    async def _write_loop(self) -> None:
        while True:
            item = await self.queue.get()
            if item is _CLOSE:
                break
            try:
                await self.ws.send_text(item if isinstance(item, str) else encode(item))
            except ConnectionError:
                break
        await self.ws.close(self.close_code, self.leave_reason[:100])

    # ---- join / leave ---------------------------------------------------------------------------

    async def _join(self, message: ClientRequest) -> None:
        if not isinstance(message, Join):
            raise MessageError(ErrorCode.NOT_JOINED, "the first message must be 'join'", fatal=True)
        if message.v != PROTOCOL_VERSION:
            raise MessageError(
                ErrorCode.UNSUPPORTED_VERSION,
                f"protocol version {message.v} is not supported; this server speaks {PROTOCOL_VERSION}",
                fatal=True,
            )
        try:
            async with self.admission.admitted():
                await self._seat(message)
        except ServerBusy as busy:  # logged by the admission, as a count
            self._send_frame(
                Error(code=ErrorCode.SERVER_BUSY, message=str(busy), fatal=True, retry_after_s=busy.retry_after_s)
            )
            self._shutdown(1013, ErrorCode.SERVER_BUSY.value)

    async def _seat(self, message: Join) -> None:
        """Verify, seat, record: each step yields to the event loop after it, so that the
        participants already in class are served between the steps of a join."""
        try:
            claims = self.tokens.verify(message.token, self.class_id)
        except TokenError as error:
            raise MessageError(ErrorCode(error.code), str(error), fatal=True) from None
        name = claims.name or message.name
        if not name:
            raise MessageError(ErrorCode.BAD_MESSAGE, "a display name is required for this link", ref="join")
        await asyncio.sleep(0)
        if self._closing:  # the client went away while it waited
            return
        try:
            self.membership = await self.hub.join(
                self.class_id, claims.role, name, claims.external_id, message.client_id, self, agent=message.agent
            )
        except (LiveClassError, ClassNotFound, ClassEnded) as error:
            raise refusal(error, fatal=True) from None
        if self._attendance is not None:  # seated at once: its row is written within the admission
            await asyncio.sleep(0)
            await asyncio.wait({self._attendance})

    async def _record_join(self, participant: ParticipantView) -> int:
        return await run_in_threadpool(
            self.attendance.joined,
            self.class_id,
            participant.id,
            participant.role,
            participant.external_id,
            participant.name,
        )

    async def _leave(self) -> None:
        """Leave the class, then record the leave even if leaving failed."""
        membership, self.membership = self.membership, None
        try:
            if membership is not None:
                await membership.leave(self.leave_reason)
        finally:
            await self._record_leave()

    async def _record_leave(self) -> None:
        if self._attendance is not None:
            recorded, self._attendance = self._attendance, None
            try:
                row = await recorded
            except ClassNotFound:
                return  # the class was deleted meanwhile: nothing to close
            await run_in_threadpool(self.attendance.left, row, self.leave_reason)

    def _log(self, code: ErrorCode, message: str) -> None:
        if code not in self._logged:
            self._logged.add(code)
            logger.warning("class %s: %s from a client: %s", self.class_id, code.value, message)
