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
