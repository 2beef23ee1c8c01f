"""`DeviceLink`: a device connection that stays up, with an explicit state and one owner.

The link opens its connector, runs the protocol's start-up exchange (``on_connect``), then
serves requests through a `Channel` until the connection drops; it then reconnects with
exponential backoff until stopped. Every change goes through the state machine in
`devices.transport.state`, and listeners hear about it (a room controller shows them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from devices.errors import (
    AuthError,
    ConfigError,
    DeviceError,
    DeviceOffline,
    DeviceTimeout,
    ProtocolError,
)
from devices.transport.connectors import Connector
from devices.transport.exchange import Channel, Requester, Unsolicited
from devices.transport.framing import Accept, Decoder
from devices.transport.policy import LinkPolicy
from devices.transport.state import LinkEvent, LinkState, LinkStateMachine, StateListener

log = logging.getLogger(__name__)

F = TypeVar("F")

DEFAULT_POLICY = LinkPolicy()

OnConnect = Callable[[Requester[F]], Awaitable[None]]
"""The protocol's start-up exchange (VISCA Address Set + IF_Clear, a sequence reset, a
login), run on every new connection before the link counts as online. Raising a
`DeviceError` fails the attempt, and the link retries after a backoff delay."""


class DeviceLink(Generic[F]):
    """A self-healing connection to one device; see the package docstring for an example."""

    def __init__(
        self,
        name: str,
        connector: Connector,
        decoder_factory: Callable[[], Decoder[F]],
        *,
        policy: LinkPolicy = DEFAULT_POLICY,
        on_connect: OnConnect[F] | None = None,
        on_unsolicited: Unsolicited[F] | None = None,
    ) -> None:
        self.name = name
        self.connector = connector
        self.policy = policy
        self._decoder_factory = decoder_factory
        self._on_connect = on_connect
        self._on_unsolicited = on_unsolicited
        self._machine = LinkStateMachine(name)
        self._channel: Channel[F] | None = None
        self._task: asyncio.Task[None] | None = None
        self._first_attempt: asyncio.Event | None = None
        self._connect_error: DeviceError | None = None  # why the last connect attempt failed

    @property
    def state(self) -> LinkState:
        return self._machine.state

    @property
    def detail(self) -> str:
        """Why the link is in its state (the last error), for status displays."""
        return self._machine.detail

    def add_listener(self, listener: StateListener) -> Callable[[], None]:
        """Call ``listener(old, new, detail)`` on every state change; returns an unsubscribe."""
        return self._machine.add_listener(listener)

    async def start(self) -> None:
        """Start connecting; returns once the first attempt has succeeded or failed.

        Afterwards the state is ONLINE or OFFLINE, and the link keeps reconnecting in the
        background until `stop`.
        """
        if self._task is not None:
            return
        self._first_attempt = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name=f"link {self.name}")
        await self._first_attempt.wait()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._machine.fire(LinkEvent.STOP, "stopped")
        self._attempt_done()

    async def request(
        self, data: bytes, accept: Accept[F], *, timeout: float | None = None
    ) -> list[F]:
        """Send ``data`` and return the reply frames; see `Requester.request`.

        Raises `DeviceOffline` at once when not connected, `DeviceTimeout` (and the link turns
        DEGRADED) when the reply is not complete in time, or whatever the codec's ``accept``
        raised (`DeviceRefused`, `DeviceBusy` after the retries, ...).
        """
        channel = self._ready_channel()
        return await self._reporting(channel, channel.request(data, accept, timeout=timeout))

    async def expect(self, accept: Accept[F], *, timeout: float | None = None) -> list[F]:
        """Wait for frames without sending; see `Requester.expect`."""
        channel = self._ready_channel()
        return await self._reporting(channel, channel.expect(accept, timeout=timeout))

    @property
    def garbage(self) -> int:
        """Garbage reports from the decoder on the current connection."""
        return self._channel.garbage if self._channel is not None else 0

    # internals ------------------------------------------------------------------------------

    def _ready_channel(self) -> Channel[F]:
        """The open channel; else the error that says why there is none: the kind of the last
        connect failure (a device that did not answer its start-up exchange, as a silent UDP
        camera does, is a timeout; rejected credentials stay an auth error; nonsense in answer
        to it a protocol error), else offline."""
        channel = self._channel
        if channel is None or not self.state.connected:
            why = f" ({self.detail})" if self.detail else ""
            message = f"{self.name} is {self.state.value}{why}"
            cause = self._connect_error
            for kind in (DeviceTimeout, AuthError, ConfigError, ProtocolError):
                if isinstance(cause, kind):
                    raise kind(message)
            raise DeviceOffline(message)
        return channel

    async def _reporting(self, channel: Channel[F], exchange: Awaitable[list[F]]) -> list[F]:
        try:
            frames = await exchange
        except DeviceTimeout as exc:
            self._report(channel, LinkEvent.EXCHANGE_FAILED, str(exc))
            raise
        except DeviceOffline:
            raise
        except DeviceError:  # the device answered, even if it said no
            self._report(channel, LinkEvent.EXCHANGE_OK, "")
            raise
        self._report(channel, LinkEvent.EXCHANGE_OK, "")
        return frames

    def _report(self, channel: Channel[F], event: LinkEvent, detail: str) -> None:
        if channel is self._channel and self.state.connected:
            self._machine.fire(event, detail)

    async def _connect(self) -> Channel[F]:
        channel: Channel[F] = Channel(
            self.name, self._decoder_factory, self.policy, self._on_unsolicited
        )
        channel.attach(await self.connector.open(channel))
        try:
            if self._on_connect is not None:
                await self._on_connect(channel)
        except BaseException:
            channel.close()
            raise
        return channel

    async def _run(self) -> None:
        attempt = 0
        while True:
            if attempt:
                await asyncio.sleep(self.policy.backoff.delay(attempt - 1))
            attempt += 1
            self._machine.fire(LinkEvent.CONNECT, self.connector.description)
            try:
                async with asyncio.timeout(self.policy.connect_timeout):
                    channel = await self._connect()
            except TimeoutError:
                self._connect_error = None
                self._connect_failed(f"{self.connector.description}: connect timed out")
                continue
            except DeviceError as exc:
                self._connect_error = exc
                self._connect_failed(str(exc))
                continue
            self._connect_error = None
            self._channel = channel
            self._machine.fire(LinkEvent.CONNECTED, self.connector.description)
            self._attempt_done()
            attempt = 1  # after a drop, wait the initial backoff delay before reconnecting
            reason = await channel.closed
            self._channel = None
            self._machine.fire(
                LinkEvent.DROPPED, f"connection lost{f': {reason}' if reason else ''}"
            )

    def _connect_failed(self, detail: str) -> None:
        log.warning("%s: %s", self.name, detail)
        self._machine.fire(LinkEvent.CONNECT_FAILED, detail)
        self._attempt_done()

    def _attempt_done(self) -> None:
        if self._first_attempt is not None:
            self._first_attempt.set()
