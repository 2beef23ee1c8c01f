"""The one way a test waits for something to become true: `wait_until` (plain code and
browser pages) and `until` (asyncio code).

Both take a generous deadline by default: a slow machine makes a passing test slower, never
failing, and a test that really fails fails with what it was waiting for, the last value the
check gave, and whatever `describe()` says about the state at that moment (a server's log tail,
a page's text, the states a link went through) instead of a bare timeout.

`until` re-checks as soon as something announces a change when given `wake` (a function that
registers a listener and returns its unsubscribe, like `DeviceLink.add_listener`), and polls
only as a fallback; without `wake` it polls.

`wait_until(..., progress=...)` waits for something that is working towards the condition
(a server starting, its worker processes importing aiortc) on a machine that may be fully
loaded: `progress()` returns a value that changes while it works (`cpu_progress(pid)`: the CPU
time of a process and its children), and the wait fails only after `timeout` seconds without
progress, or after `limit` seconds in all. A loaded machine then makes such a wait longer,
not failing, and a stuck start still fails after `timeout`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# Seconds. Generous: several test runs share two cores, and a condition that is going to come
# true comes true long before this.
DEADLINE = 30.0

Describe = Callable[[], str]
# Registers a listener (called with any arguments) and returns the function that removes it.
Wake = Callable[[Callable[..., None]], Callable[[], object]]


# Seconds: the most a wait with `progress` takes, however busy the machine.
PROGRESS_LIMIT = 300.0


def wait_until(
    check: Callable[[], T | None],
    timeout: float = DEADLINE,
    what: str = "condition",
    *,
    describe: Describe | None = None,
    interval: float = 0.1,
    progress: Callable[[], object] | None = None,
    limit: float = PROGRESS_LIMIT,
) -> T:
    """Call `check` until it returns something truthy and return that; fail after `timeout`
    seconds (with `progress`: `timeout` seconds in which `progress()` did not change, or
    `limit` seconds in all) naming `what`, the last value and `describe()`."""
    start = time.monotonic()
    deadline = start + timeout
    seen = progress() if progress is not None else None
    while True:
        last = check()
        if last:
            return last
        now = time.monotonic()
        if progress is not None:
            current = progress()
            if current != seen:
                seen, deadline = current, min(now + timeout, start + limit)
        remaining = deadline - now
        if remaining <= 0:
            waited = now - start
            if progress is not None and waited > timeout:
                what = f"{what} (waited {waited:.0f} s; no progress in the last {timeout:g} s or {limit:g} s in all)"
            raise AssertionError(_timed_out(what, timeout, last, describe))
        time.sleep(min(interval, remaining))


def cpu_progress(pid: int) -> Callable[[], float]:
    """For `wait_until(progress=...)`: the CPU seconds a process and its children have used."""
    import psutil

    def used() -> float:
        try:
            process = psutil.Process(pid)
            total = sum(process.cpu_times()[:2])
            for child in process.children(recursive=True):
                try:
                    total += sum(child.cpu_times()[:2])
                except psutil.Error:
                    pass
            return round(total, 2)
        except psutil.Error:
            return -1.0

    return used


async def until(
    check: Callable[[], T | None],
    timeout: float = DEADLINE,
    what: str = "condition",
    *,
    describe: Describe | None = None,
    wake: Wake | None = None,
    interval: float | None = None,
) -> T:
    """`wait_until` for a test on the event loop: the loop keeps running while it waits.
    With `wake` the check runs on each announced change, and every `interval` (0.25 s) only
    in case a change went unannounced; without it, every `interval` (0.01 s)."""
    poll = interval if interval is not None else (0.25 if wake is not None else 0.01)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    changed = asyncio.Event()
    unsubscribe = wake(lambda *_: changed.set()) if wake is not None else None
    try:
        while True:
            changed.clear()
            last = check()
            if last:
                return last
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(_timed_out(what, timeout, last, describe))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(poll, remaining))
    finally:
        if unsubscribe is not None:
            unsubscribe()


def log_tail(path: Path, lines: int = 40) -> str:
    """The end of a server's log, for a `describe`: what it was doing when the wait gave up."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(no log at {path}: {exc.strerror})"
    return f"last lines of {path.name}:\n" + "\n".join(text.splitlines()[-lines:])


def _timed_out(what: str, timeout: float, last: object, describe: Describe | None) -> str:
    message = f"timed out after {timeout:g} s waiting for {what}; last value: {last!r}"
    if describe is not None:
        try:
            message += f"\n{describe()}"
        except Exception as exc:  # the state could not be read: say so, keep the timeout
            message += f"\n(describe failed: {exc!r})"
    return message
