"""classroom/relay/fanout.py: fan-out in slices that let ingress in, in arrival order."""

from __future__ import annotations

import asyncio
from typing import Callable, Sequence

from aiortc.rtp import RtpPacket

from classroom.relay.counters import COUNTERS
from classroom.relay.fanout import FanoutScheduler, fanout_scheduler
from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack

VP8 = CodecSpec("video/VP8", 90000)
KEY = bytes([0x10, 0x00, 0xAA])
DELTA = bytes([0x10, 0x01, 0xBB])


class Loop:
    """call_soon that runs nothing until told: each `turn` is one pass of an event loop."""

    def __init__(self) -> None:
        self.ready: list[Callable[[], None]] = []
        self.now = 0.0

    def call_soon(self, callback: Callable[[], None]) -> None:
        self.ready.append(callback)

    def turn(self) -> int:
        ready, self.ready = self.ready, []
        for callback in ready:
            callback()
        return len(ready)


class Packet:
    def __init__(self, name: str, arrival: float = 0.0):
        self.name = name
        self.arrival = arrival


def recorder(log: list[tuple[str, str]]) -> Callable[[Packet, Sequence[str], int, int], None]:
    def forward(packet: Packet, targets: Sequence[str], start: int, stop: int) -> None:
        log.extend((packet.name, t) for t in targets[start:stop])

    return forward


def test_a_fan_out_within_one_slice_goes_out_at_once() -> None:
    loop, log = Loop(), []
    scheduler = FanoutScheduler(loop.call_soon, slice_size=4)
    scheduler.submit(recorder(log), Packet("p1"), ["a", "b", "c", "d"])
    assert log == [("p1", t) for t in "abcd"] and loop.ready == []


def test_a_large_fan_out_runs_a_slice_per_turn_and_ingress_gets_in_between() -> None:
    loop, log = Loop(), []
    scheduler = FanoutScheduler(loop.call_soon, slice_size=4, clock=lambda: loop.now)
    targets = [f"s{i}" for i in range(10)]
    scheduler.submit(recorder(log), Packet("p1"), targets)
    assert log == [] and scheduler.backlog == 1
    loop.turn()
    assert log == [("p1", t) for t in targets[:4]]
    # Ingress between two slices: the next packet only queues, behind the first.
    scheduler.submit(recorder(log), Packet("p2"), targets[:3])
    assert len(log) == 4 and scheduler.backlog == 2
    loop.turn()
    loop.turn()  # the last 2 of p1, then p2's first 2 in the same slice of 4
    assert log[4:] == [("p1", t) for t in targets[4:]] + [("p2", "s0"), ("p2", "s1")]
    loop.turn()
    assert log[-1] == ("p2", "s2") and scheduler.backlog == 0 and loop.turn() == 0
    assert scheduler.slices_run == 4 and scheduler.backlog_peak == 2


def test_a_small_fan_out_waits_behind_a_queued_one() -> None:
    loop, log = Loop(), []
    scheduler = FanoutScheduler(loop.call_soon, slice_size=2, clock=lambda: loop.now)
    scheduler.submit(recorder(log), Packet("big"), ["a", "b", "c"])
    scheduler.submit(recorder(log), Packet("small"), ["x"])
    while loop.turn():
        pass
    assert [p for p, _ in log] == ["big", "big", "big", "small"]


def test_packets_that_waited_too_long_are_dropped_and_counted() -> None:
    loop, log = Loop(), []
    scheduler = FanoutScheduler(loop.call_soon, slice_size=2, max_delay_s=0.5, clock=lambda: loop.now)
    before = COUNTERS.fanout_backlog_drops
    scheduler.submit(recorder(log), Packet("old", arrival=0.0), ["a", "b", "c"])
    scheduler.submit(recorder(log), Packet("new", arrival=0.9), ["a", "b", "c"])
    loop.now = 1.0  # the loop was held up for a second
    while loop.turn():
        pass
    assert [p for p, _ in log] == ["new"] * 3
    assert COUNTERS.fanout_backlog_drops == before + 1


def test_a_started_fan_out_is_finished_however_late() -> None:
    """Half a packet's subscribers never get it while the others do: once begun, it ends."""
    loop, log = Loop(), []
    scheduler = FanoutScheduler(loop.call_soon, slice_size=2, max_delay_s=0.5, clock=lambda: loop.now)
    scheduler.submit(recorder(log), Packet("p", arrival=0.0), ["a", "b", "c"])
    loop.turn()
    loop.now = 5.0
    loop.turn()
    assert log == [("p", "a"), ("p", "b"), ("p", "c")]


class Sink:
    def __init__(self) -> None:
        self.packets: list[bytes] = []

    def send(self, data: bytes) -> bool:
        self.packets.append(data)
        return True


def subscriber(up: UpTrack, ssrc: int) -> tuple[DownTrack, Sink]:
    sink = Sink()
    down = DownTrack("video", 90000, sink)
    down.bind(up)
    down.configure(OutgoingParameters(payload_type=96, ssrc=ssrc))
    return down, sink


async def test_an_uptrack_forwards_in_slices_on_the_event_loop_in_order() -> None:
    loop = asyncio.get_running_loop()
    scheduler = fanout_scheduler(loop)
    assert fanout_scheduler(loop) is scheduler  # one per loop: one arrival order for all tracks
    up = UpTrack("t1", VP8, lambda: None, loop.call_later, fanout=scheduler)
    other = UpTrack("t2", VP8, lambda: None, loop.call_later, fanout=scheduler)
    downs = [subscriber(up, 0x1000 + i) for i in range(3 * scheduler.slice_size + 1)]
    ingress: list[int] = []
    now = loop.time()
    up.on_packet(1, 0, True, KEY, now)
    loop.call_soon(lambda: ingress.append(sum(len(s.packets) for _, s in downs)))
    up.on_packet(2, 3000, True, DELTA, now)
    # The subscriber that moves to another track while packets wait gets none of t1's after.
    moved, moved_sink = downs[-1]
    moved.bind(other)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert ingress and ingress[0] < 2 * len(downs)  # ran before the fan-outs were done
    while scheduler.backlog:
        await asyncio.sleep(0)
    for _, sink in downs[:-1]:
        first, second = (RtpPacket.parse(p) for p in sink.packets)
        assert (first.payload, second.payload) == (KEY, DELTA)
        assert second.sequence_number == (first.sequence_number + 1) & 0xFFFF
    assert moved_sink.packets == []
