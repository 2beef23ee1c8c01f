"""Supervision of one device: polled at its protocol's pace, its link watched, its view kept.

Every driver exposes its `link` (state, detail, listeners), whose state machine reports a
dropped TCP connection at once (a listener turns it into a new view immediately). A device
that stops answering without hanging up (an Ethernet cable pulled, a serial line, VISCA over
UDP) only shows as failed exchanges: the first unanswered poll shows it degraded, the next
poll follows `retry` seconds later instead of a whole pace, and after `offline_after`
unanswered polls in a row it is shown offline (the silent ⇒ offline rule,
devices/transport/silence.py). The room controller owns polling, so drivers are built with
their own health pollers idle (see devices/room/fleet.py).

Paces follow what field drivers do (docs/devices.md §1): a VISCA camera every 2 s (Sony
polls inquiries round-robin), displays and ONVIF cameras every 5 s, a PJLink projector every
10 s (it hangs up after 30 s idle), a Shure microphone every 30 s (it also reports changes by
itself). A device's `poll_interval` in the rooms file overrides its pace.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from devices.rooms_file.device_config import DeviceConfig
from devices.drivers.base import AnyDevice, LinkState
from devices.errors import DeviceError
from devices.room.tasks import cancel_and_wait
from devices.transport.silence import Silence
from devices.room.device_view import DeviceView, controls_of, initial_view, reported

log = logging.getLogger(__name__)

PACE: dict[str, float] = {"visca": 2.0, "onvif": 5.0, "mdc": 5.0, "pjlink": 10.0, "shure": 30.0}
OFFLINE_AFTER = 2  # polls without an answer before a still-connected device is shown offline
RETRY_AFTER = 0.5  # seconds to the next poll after one went unanswered


def pace_of(cfg: DeviceConfig) -> float:
    if "poll_interval" in cfg.model_fields_set:
        return cfg.poll_interval
    return PACE.get(cfg.protocol, cfg.poll_interval)


class Supervisor:
    """Keeps `view` of one device current and hands every changed view to `on_view`."""

    def __init__(
        self,
        cfg: DeviceConfig,
        device: AnyDevice,
        on_view: Callable[[DeviceView], None],
        *,
        pace: float | None = None,
        offline_after: int = OFFLINE_AFTER,
        retry: float = RETRY_AFTER,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.cfg = cfg
        self.device = device
        self.pace = pace if pace is not None else pace_of(cfg)
        self.retry = retry
        self._on_view = on_view
        self._now = now
        self.view = initial_view(cfg, device, device.link.state)
        self.silence = Silence(offline_after)  # polls in a row that got no answer
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._poll_lock = asyncio.Lock()

    @property
    def name(self) -> str:
        return self.cfg.name

    @property
    def failures(self) -> int:
        """Polls in a row that got no answer."""
        return self.silence.count

    async def start(self) -> None:
        self.device.link.add_listener(self._link_changed)
        await self.device.start()
        self._task = asyncio.create_task(self._run(), name=f"supervise {self.name}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await cancel_and_wait(task)
        await self.device.stop()

    def poll_soon(self) -> None:
        """Poll now rather than at the next tick (after a command, or when the link came up)."""
        self._wake.set()

    async def poll(self) -> DeviceView:
        """Ask the device now; a device problem becomes the view's link and detail, not an error."""
        async with self._poll_lock:
            try:
                status = await self.device.status()
            except DeviceError as exc:
                self._record_failure(str(exc))
                return self.view
            fields = reported(status)
            if status.link is LinkState.ONLINE and fields:
                self.silence.answered()
                self._publish(link=LinkState.ONLINE, detail="", polled_at=self._now(), **fields)
            elif status.link is LinkState.ONLINE:
                self._publish(detail=status.detail or "the device reported nothing")
            else:
                self._record_failure(status.detail or status.link.value)
            return self.view

    # internals --------------------------------------------------------------------------------

    def _record_failure(self, detail: str) -> None:
        gone = self.silence.unanswered()
        state = self.device.link.state
        if state is LinkState.DEGRADED and gone:
            state, detail = LinkState.OFFLINE, f"no answer to {self.failures} polls: {detail}"
        self._publish(link=state, detail=detail)

    def _link_changed(self, old: LinkState, new: LinkState, detail: str) -> None:
        if new is LinkState.ONLINE:
            self.silence.answered()
            self.poll_soon()
            detail = ""
        self._publish(link=new, detail=detail)

    def _publish(self, **changes: object) -> None:
        # Capabilities can change at connect (ONVIF profiles, PJLink's input list).
        view = self.view.model_copy(update={"controls": controls_of(self.device), **changes})
        if view.same_as(self.view):
            self.view = view
            return
        self.view = view
        try:
            self._on_view(view)
        except Exception:  # a faulty listener must not stop supervision
            log.exception("%s: view listener failed", self.name)

    def _next_poll(self) -> float:
        """Soon after an unanswered poll on a connection still up (is the device gone?); at
        the pace otherwise, an offline device included: its link reconnects by itself, and
        coming back online wakes the loop."""
        confirming = self.failures and self.device.link.state.connected
        return min(self.retry, self.pace) if confirming else self.pace

    async def _run(self) -> None:
        while True:
            await self.poll()
            # asyncio.timeout, not wait_for (see devices/room/tasks.py)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._next_poll()):
                    await self._wake.wait()
            self._wake.clear()
