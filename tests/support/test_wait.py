"""The one wait helper: returns the check's value, fails with the state, wakes on events."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from tests.support.wait import until, wait_until


def test_returns_the_first_truthy_value() -> None:
    values = iter([0, None, "", 7])
    assert wait_until(lambda: next(values), 5, interval=0.001) == 7


def test_a_timeout_names_what_the_last_value_and_the_state() -> None:
    with pytest.raises(AssertionError) as failed:
        wait_until(lambda: [], 0.05, "the queue to fill", describe=lambda: "server log: boom")
    message = str(failed.value)
    assert "timed out after 0.05 s waiting for the queue to fill" in message
    assert "last value: []" in message and message.endswith("\nserver log: boom")


def test_a_describe_that_fails_still_reports_the_timeout() -> None:
    def broken() -> str:
        raise RuntimeError("page closed")

    with pytest.raises(AssertionError, match=r"(?s)waiting for x.*describe failed.*page closed"):
        wait_until(lambda: False, 0.01, "x", describe=broken)


def test_waits_across_a_change_made_by_another_thread() -> None:
    done = threading.Event()
    threading.Timer(0.05, done.set).start()
    assert wait_until(done.is_set, 5, "the timer")


async def test_async_wait_lets_the_loop_run() -> None:
    box: list[int] = []
    asyncio.get_running_loop().call_later(0.02, box.append, 1)
    assert await until(lambda: box, 5, "the callback") == [1]


async def test_wake_rechecks_at_once_without_waiting_for_the_poll() -> None:
    listeners: list[Callable[..., None]] = []

    def subscribe(listener: Callable[..., None]) -> Callable[[], None]:
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    state = {"on": False}

    def flip() -> None:
        state["on"] = True
        for listener in list(listeners):
            listener("old", "new")

    loop = asyncio.get_running_loop()
    loop.call_later(0.02, flip)
    started = loop.time()
    await until(lambda: state["on"], 5, "the flip", wake=subscribe, interval=10)
    assert loop.time() - started < 1 and listeners == []  # woken, not polled; unsubscribed


async def test_async_timeout_reports_like_the_sync_one() -> None:
    with pytest.raises(AssertionError, match=r"waiting for the link; last value: False\nOFFLINE"):
        await until(lambda: False, 0.02, "the link", describe=lambda: "OFFLINE")
