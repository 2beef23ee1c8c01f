"""Health polling: a driver asks its device something every `poll_interval` seconds.

Polls keep state fresh for the technician console, notice a dead serial line (which never
"disconnects"), and keep sessions alive on devices that hang up when idle (PJLink projectors
close after 30 s). Failures are already recorded by the link's state machine, so the poller
only logs them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from devices.errors import DeviceError
from devices.transport.link import DeviceLink

log = logging.getLogger(__name__)


class Poller:
    """Run `poll()` every `interval` seconds between `start()` and `stop()`."""

    def __init__(self, name: str, interval: float, poll: Callable[[], Awaitable[object]]) -> None:
        self.name = name
        self.interval = interval
        self._poll = poll
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"poll {self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._poll()
            except DeviceError as exc:
                log.info("%s: poll failed: %s", self.name, exc)


class PolledLink:
    """Start and stop for a driver that owns one `DeviceLink` and polls through it.

    Subclasses set `self.link` and `self._poller`; start opens the link (it reconnects by
    itself from then on) and starts polling, stop does the reverse.
    """

    link: DeviceLink
    _poller: Poller

    async def start(self) -> None:
        await self.link.start()
        self._poller.start()

    async def stop(self) -> None:
        await self._poller.stop()
        await self.link.stop()
