"""The one wait helper: returns the check's value, fails with the state, wakes on events."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import psutil
import pytest

from tests.support.wait import cpu_progress, until, wait_until


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


def test_a_wait_with_progress_outlasts_its_timeout_while_progress_is_made() -> None:
    """A busy machine slows a server's start: the wait goes on while the server works."""
    ticks = iter(range(1000))
    started = time.monotonic()
    done_at = started + 0.3  # longer than the timeout below
    value = wait_until(
        lambda: "ready" if time.monotonic() >= done_at else None,
        0.1,
        "the slow start",
        progress=lambda: next(ticks),  # changes at every check: still working
        interval=0.01,
    )
    assert value == "ready" and time.monotonic() - started >= 0.3


def test_a_wait_with_progress_fails_once_progress_stops_or_at_the_limit() -> None:
    with pytest.raises(AssertionError) as stalled:
        wait_until(lambda: None, 0.1, "a stuck start", progress=lambda: 1, interval=0.01)
    assert "timed out after 0.1 s waiting for a stuck start" in str(stalled.value)
    ticks = iter(range(100000))
    started = time.monotonic()
    with pytest.raises(AssertionError) as endless:
        wait_until(lambda: None, 0.1, "an endless start", progress=lambda: next(ticks), limit=0.3, interval=0.01)
    assert 0.3 <= time.monotonic() - started < 1.0
    assert "no progress in the last 0.1 s or 0.3 s in all" in str(endless.value)


def test_cpu_progress_counts_the_cpu_time_of_a_process_and_its_children() -> None:
    script = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'while True: pass'])"
    busy = subprocess.Popen([sys.executable, "-c", script])
    try:
        used = cpu_progress(busy.pid)
        first = used()
        wait_until(lambda: used() > first + 0.2, what="the child's CPU time to count", interval=0.05)
    finally:
        for child in psutil.Process(busy.pid).children(recursive=True):
            child.kill()
        busy.kill()
        busy.wait()
