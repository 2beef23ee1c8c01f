"""Shared by the driver tests: a link policy with short timers, and waiting for a link state."""

from __future__ import annotations

from devices.transport import Backoff, DeviceLink, LinkPolicy, LinkState
from tests.support.wait import DEADLINE, until

FAST = LinkPolicy(
    timeout=0.4,
    connect_timeout=1.0,
    busy_retries=1,
    busy_delay=0.01,
    backoff=Backoff(initial=0.05, factor=2.0, maximum=0.2),
)


async def wait_for_state(
    link: DeviceLink[object], *states: LinkState, timeout: float = DEADLINE
) -> None:
    """Return once the link is in one of `states`, checked on each of its state changes."""
    await until(
        lambda: link.state in states,
        timeout,
        f"{link.name} to be {' or '.join(state.value for state in states)}",
        describe=lambda: f"the link is {link.state.value}: {link.detail}",
        wake=link.add_listener,
    )
