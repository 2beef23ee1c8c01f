"""Fan-out in bounded slices, so that reading the publishers always comes first.

Forwarding one packet to 100 subscribers takes a few milliseconds of one event loop, which
also reads the publishers' sockets. Done in one go, every incoming packet holds the loop
that long, and on a busy machine the publishers' receive queues overflow (the kernel drops
packets nobody counts). The scheduler instead forwards at most `slice_size` subscriber
streams per turn of the loop and then yields: the loop polls its sockets and takes in the
packets that arrived meanwhile (an UpTrack only queues them) before the next slice.

Packets are forwarded in arrival order across all tracks: a packet's fan-out finishes before
the next one's starts, so every subscriber stream sees its track's packets in order. A packet
that waited longer than `max_delay_s` is no use to a live picture any more: it is dropped,
counted (`fanout_backlog_drops`), and subscribers recover it by NACK if they still want it.

Small fan-outs (at most one slice) are forwarded at once, as before: no cost for small classes.

The server does not use it by default (aiortc_internals.use_sliced_fanout): the extra turns
of the loop cost more CPU per packet than slicing saves when CPU is short (docs/relay.md).
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections import deque
from typing import Callable, Generic, Protocol, Sequence, TypeVar

from classroom.relay.counters import COUNTERS

DEFAULT_SLICE = 16  # subscriber streams per turn of the loop: ~0.4 ms at ~25 µs each
DEFAULT_MAX_DELAY_S = 1.0

T = TypeVar("T")
P = TypeVar("P", bound="Stamped")


class Stamped(Protocol):
    arrival: float  # monotonic time the packet came in


class _Job(Generic[P, T]):
    __slots__ = ("forward", "packet", "targets", "next")

    def __init__(self, forward: Callable[[P, Sequence[T], int, int], None], packet: P, targets: Sequence[T]):
        self.forward = forward
        self.packet = packet
        self.targets = targets
        self.next = 0  # the first target not yet forwarded to


class FanoutScheduler:
    """One per event loop: queues packets' fan-outs and runs them a slice per loop turn."""

    def __init__(
        self,
        call_soon: Callable[[Callable[[], None]], object],
        slice_size: int = DEFAULT_SLICE,
        max_delay_s: float = DEFAULT_MAX_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
    ):
        if slice_size < 1:
            raise ValueError("a slice forwards to at least one subscriber stream")
        self.slice_size = slice_size
        self.max_delay_s = max_delay_s
        self._call_soon = call_soon
        self._clock = clock
        self._jobs: deque[_Job] = deque()  # type: ignore[type-arg]
        self._scheduled = False
        self.slices_run = 0
        self.backlog_peak = 0

    @property
    def backlog(self) -> int:
        """Packets whose fan-out has not finished."""
        return len(self._jobs)

    def submit(self, forward: Callable[[P, Sequence[T], int, int], None], packet: P, targets: Sequence[T]) -> None:
        """Call `forward(packet, targets, start, stop)` over consecutive ranges covering `targets`.

        At once when `targets` fit in one slice and nothing is queued; otherwise in slices,
        after every packet submitted before.
        """
        if not self._jobs and len(targets) <= self.slice_size:
            forward(packet, targets, 0, len(targets))
            return
        self._jobs.append(_Job(forward, packet, targets))
        self.backlog_peak = max(self.backlog_peak, len(self._jobs))
        if not self._scheduled:
            self._scheduled = True
            self._call_soon(self._run_slice)

    def _run_slice(self) -> None:
        self._scheduled = False
        budget = self.slice_size
        jobs = self._jobs
        while budget > 0 and jobs:
            job = jobs[0]
            if job.next == 0 and self._clock() - job.packet.arrival > self.max_delay_s:
                jobs.popleft()
                COUNTERS.fanout_backlog_drops += 1
                continue
            stop = min(len(job.targets), job.next + budget)
            start, job.next = job.next, stop
            budget -= stop - start
            if stop == len(job.targets):
                jobs.popleft()
            job.forward(job.packet, job.targets, start, stop)
        self.slices_run += 1
        if jobs:
            self._scheduled = True
            self._call_soon(self._run_slice)


_schedulers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FanoutScheduler] = weakref.WeakKeyDictionary()


def fanout_scheduler(loop: asyncio.AbstractEventLoop) -> FanoutScheduler:
    """The scheduler of `loop` (one per loop: packets of all tracks go out in arrival order)."""
    scheduler = _schedulers.get(loop)
    if scheduler is None:
        scheduler = _schedulers[loop] = FanoutScheduler(loop.call_soon)
    return scheduler
