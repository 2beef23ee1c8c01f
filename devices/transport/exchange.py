"""One open connection's request/reply machinery: frames in, replies matched, the rest unsolicited.

A `Channel` lives as long as one connection. It decodes incoming bytes with the codec's
`Decoder`, hands each frame to the `Accept` function of the request in flight (one at a time,
under a lock), and passes frames that are not part of that reply to the unsolicited callback
(VISCA network-change, Shure REP/SAMPLE, a late completion). It paces requests and resends
when the codec says the device is busy. Bytes that make no sense (garbage, a bad checksum, a
truncated datagram) end the request in flight at once with the decoder's `ProtocolError`, and
a reply still incomplete when the time is up is a `ProtocolError` too, not silence: the
device did answer, with something that is not an answer. It does not know about reconnects or link states:
`DeviceLink` owns those.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from devices.errors import DeviceBusy, DeviceOffline, DeviceTimeout, ProtocolError
from devices.transport.connectors import ByteTransport
from devices.transport.framing import Accept, Decoder, FrameVerdict, iter_frames
from devices.transport.policy import LinkPolicy

log = logging.getLogger(__name__)

F = TypeVar("F")


Unsolicited = Callable[[F], None]


class Requester(Protocol[F]):
    """What a driver (and a protocol's start-up exchange) uses to talk to a device."""

    async def request(
        self, data: bytes, accept: Accept[F], *, timeout: float | None = None
    ) -> list[F]:
        """Send ``data`` and return the frames ``accept`` took as the reply (MORE..., DONE)."""

    async def expect(self, accept: Accept[F], *, timeout: float | None = None) -> list[F]:
        """Wait for a reply without sending anything (a greeting, a banner)."""


class _Pending(Generic[F]):
    def __init__(self, accept: Accept[F], future: asyncio.Future[list[F]]) -> None:
        self.accept = accept
        self.future = future
        self.frames: list[F] = []


class Channel(Generic[F]):
    """The request/reply side of one open connection; also the transport's `ByteSink`."""

    def __init__(
        self,
        name: str,
        decoder_factory: Callable[[], Decoder[F]],
        policy: LinkPolicy,
        on_unsolicited: Unsolicited[F] | None = None,
    ) -> None:
        self.name = name
        self._decoder_factory = decoder_factory
        self._decoder = decoder_factory()
        self._policy = policy
        self._on_unsolicited = on_unsolicited
        self._transport: ByteTransport | None = None
        self._pending: _Pending[F] | None = None
        self._lock = asyncio.Lock()
        self._last_end = float("-inf")
        self.garbage = 0  # count of ProtocolErrors raised by the decoder (line noise)
        self.closed: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()

    def attach(self, transport: ByteTransport) -> None:
        self._transport = transport

    def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
        self.connection_lost(None)

    # ByteSink -------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._transport is not None and self._transport.datagram:
            self._decoder = self._decoder_factory()  # each datagram stands alone
        for item in iter_frames(self._decoder, data):
            if isinstance(item, ProtocolError):
                self._garbage(item)
            else:
                self._dispatch(item)
        if self._transport is not None and self._transport.datagram and self._decoder.buffered:
            self._garbage(ProtocolError(f"truncated datagram ({self._decoder.buffered} bytes)"))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closed.done():
            return
        self.closed.set_result(exc)
        pending = self._pending
        if pending is not None and not pending.future.done():
            reason = f": {exc}" if exc else ""
            pending.future.set_exception(DeviceOffline(f"{self.name}: connection lost{reason}"))

    # Requester ------------------------------------------------------------------------------

    async def request(
        self, data: bytes, accept: Accept[F], *, timeout: float | None = None
    ) -> list[F]:
        async with self._lock:
            retries = 0
            while True:
                await self._pace()
                try:
                    return await self._exchange(data, accept, timeout)
                except DeviceBusy:
                    if retries >= self._policy.busy_retries:
                        raise
                    retries += 1
                    log.info("%s: device busy, resending (%d)", self.name, retries)
                    await asyncio.sleep(self._policy.busy_delay)

    async def expect(self, accept: Accept[F], *, timeout: float | None = None) -> list[F]:
        async with self._lock:
            return await self._exchange(b"", accept, timeout)

    # internals ------------------------------------------------------------------------------

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        wait = self._last_end + self._policy.min_gap - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def _exchange(self, data: bytes, accept: Accept[F], timeout: float | None) -> list[F]:
        if self.closed.done() or self._transport is None:
            raise DeviceOffline(f"{self.name}: not connected")
        loop = asyncio.get_running_loop()
        pending: _Pending[F] = _Pending(accept, loop.create_future())
        self._pending = pending
        limit = self._policy.timeout if timeout is None else timeout
        try:
            if data:
                self._transport.write(data)
            async with asyncio.timeout(limit):
                return await pending.future
        except TimeoutError:
            if held := self._decoder.buffered:
                self._decoder = self._decoder_factory()  # the next answer must not extend it
                raise ProtocolError(
                    f"{self.name}: incomplete answer ({held} bytes of a frame) within {limit:g} s"
                ) from None
            raise DeviceTimeout(f"{self.name}: no answer within {limit:g} s") from None
        finally:
            self._pending = None
            self._last_end = loop.time()

    def _dispatch(self, frame: F) -> None:
        pending = self._pending
        if pending is None or pending.future.done():
            self._unsolicited(frame)
            return
        try:
            step = pending.accept(frame)
        except Exception as exc:  # noqa: BLE001 - the codec's verdict (refused, busy, bad reply) ends the request
            pending.future.set_exception(exc)
            return
        if step is FrameVerdict.NOT_MINE:
            self._unsolicited(frame)
            return
        pending.frames.append(frame)
        if step is FrameVerdict.DONE:
            pending.future.set_result(pending.frames)

    def _unsolicited(self, frame: F) -> None:
        if self._on_unsolicited is None:
            log.debug("%s: ignoring unsolicited %r", self.name, frame)
            return
        try:
            self._on_unsolicited(frame)
        except Exception:
            log.exception("%s: unsolicited-frame callback failed", self.name)

    def _garbage(self, exc: ProtocolError) -> None:
        """Count and log bytes that make no sense; they are the answer to a request in flight."""
        self.garbage += 1
        log.warning("%s: %s", self.name, exc)
        pending = self._pending
        if pending is not None and not pending.future.done():
            pending.future.set_exception(exc)
