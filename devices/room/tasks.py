"""Stopping a background task for sure.

Python 3.11's `asyncio.wait_for` swallows a cancellation that arrives just as the awaited
result does (fixed in 3.12). Our device links bound their answers with `asyncio.timeout`,
which does not, but a room task also awaits third-party code (the ONVIF client's HTTP stack)
that may still use `wait_for`; so stopping a room task cancels until it is really done.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

RETRY = 0.05  # seconds between cancellations


async def cancel_and_wait(task: asyncio.Future[Any]) -> None:
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=RETRY)
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()
