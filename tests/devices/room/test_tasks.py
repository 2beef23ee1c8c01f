"""cancel_and_wait ends a task even when one cancellation is swallowed below it."""

from __future__ import annotations

import asyncio
import contextlib

from devices.room.tasks import cancel_and_wait


async def test_a_task_that_swallows_the_first_cancel_still_ends() -> None:
    swallowed = 0

    async def stubborn() -> None:
        nonlocal swallowed
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(10)
        swallowed += 1
        asyncio.current_task().uncancel()  # type: ignore[union-attr]  # as 3.11's wait_for can
        await asyncio.sleep(10)

    task = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    await cancel_and_wait(task)
    assert task.cancelled() and swallowed == 1


async def test_a_finished_task_is_left_alone() -> None:
    task = asyncio.create_task(asyncio.sleep(0))
    await task
    await cancel_and_wait(task)
    assert task.done() and not task.cancelled()
