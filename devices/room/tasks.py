"""Stopping a background task for sure.

Python 3.11's `asyncio.wait_for` swallows a cancellation that arrives just as the awaited
reply does (fixed in 3.12); device links use it for their answer timeouts, so one `cancel()`
may be lost inside a poll. Stopping therefore cancels until the task is really done.
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
