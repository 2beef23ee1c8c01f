"""Shared by the driver tests: a link policy with short timers, and waiting for a link state."""

from __future__ import annotations

import asyncio

from devices.transport import Backoff, DeviceLink, LinkPolicy, LinkState

FAST = LinkPolicy(
    timeout=0.4,
    connect_timeout=1.0,
    busy_retries=1,
    busy_delay=0.01,
    backoff=Backoff(initial=0.05, factor=2.0, maximum=0.2),
)


async def wait_for_state(
    link: DeviceLink[object], *states: LinkState, timeout: float = 3.0
) -> None:
    """Return once the link is in one of `states`; fail the test after `timeout` seconds."""

    async def until() -> None:
        while link.state not in states:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(until(), timeout)
