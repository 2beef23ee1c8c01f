"""Channel: replies matched to the request in flight, unsolicited frames, busy, pacing, timeouts.

Every test runs over a real loopback socket to a scripted line device (line_peer.py).
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from devices.errors import DeviceBusy, DeviceOffline, DeviceRefused, DeviceTimeout, ProtocolError
from devices.transport.connectors import Connector, TcpConnector, UdpConnector
from devices.transport.exchange import Channel
from devices.transport.framing import DelimitedDecoder, FrameVerdict
from devices.transport.policy import LinkPolicy
from tests.devices.transport.line_peer import Answer, LinePeer
from tests.support.wait import until


def upper_line(frame: bytes) -> bytes:
    if not frame[:-1].isupper():
        raise ProtocolError(f"bad line {frame!r}")
    return frame[:-1]


def decoder() -> DelimitedDecoder[bytes]:
    return DelimitedDecoder(b"\r", upper_line, max_length=64)


def ack_then_done(frame: bytes) -> FrameVerdict:
    if frame == b"ACK":
        return FrameVerdict.MORE
    if frame.startswith(b"DONE"):
        return FrameVerdict.DONE
    if frame == b"BUSY":
        raise DeviceBusy("busy")
    if frame == b"NO":
        raise DeviceRefused("refused")
    return FrameVerdict.NOT_MINE


ONE_SECOND = LinkPolicy(timeout=1)


async def open_channel(
    answer: Answer, *, udp: bool = False, policy: LinkPolicy = ONE_SECOND
) -> tuple[LinePeer, Channel[bytes], list[bytes]]:
    peer = LinePeer(answer, udp=udp)
    port = await peer.start()
    unsolicited: list[bytes] = []
    channel: Channel[bytes] = Channel("dev", decoder, policy, unsolicited.append)
    connector: Connector = (UdpConnector if udp else TcpConnector)("127.0.0.1", port)
    channel.attach(await connector.open(channel))
    return peer, channel, unsolicited


async def test_a_reply_of_several_frames_is_collected_until_done() -> None:
    peer, channel, unsolicited = await open_channel(lambda line: b"ACK\rNEWS\rDONE " + line + b"\r")
    assert await channel.request(b"GO\r", ack_then_done) == [b"ACK", b"DONE GO"]
    assert unsolicited == [b"NEWS"]  # arrived mid-exchange, but not part of the reply
    channel.close()
    await peer.stop()


async def test_frames_with_no_request_in_flight_are_unsolicited() -> None:
    peer, channel, unsolicited = await open_channel(lambda line: None)
    await until(lambda: peer.connections == 1, what="the peer to take the connection")
    peer.push(b"HELLO\rWORLD\r")
    await until(
        lambda: len(unsolicited) == 2, what="two unsolicited frames", describe=lambda: repr(unsolicited)
    )
    assert unsolicited == [b"HELLO", b"WORLD"]
    channel.close()
    await peer.stop()


async def test_expect_waits_for_a_frame_without_sending() -> None:
    peer, channel, _ = await open_channel(lambda line: None)
    await until(lambda: peer.connections == 1, what="the peer to take the connection")
    waiting = asyncio.create_task(channel.expect(lambda f: FrameVerdict.DONE, timeout=1))
    await asyncio.sleep(0.01)
    peer.push(b"GREETING\r")
    assert await waiting == [b"GREETING"]
    assert peer.received == []
    channel.close()
    await peer.stop()


async def test_a_refusal_ends_the_request_with_the_codecs_error() -> None:
    peer, channel, _ = await open_channel(lambda line: b"ACK\rNO\r")
    with pytest.raises(DeviceRefused):
        await channel.request(b"GO\r", ack_then_done)
    channel.close()
    await peer.stop()


async def test_busy_is_resent_after_a_pause_until_it_works() -> None:
    answers = iter([b"BUSY\r", b"BUSY\r", b"DONE\r"])
    policy = LinkPolicy(timeout=1, busy_retries=3, busy_delay=0.02)
    peer, channel, _ = await open_channel(lambda line: next(answers), policy=policy)
    assert await channel.request(b"GO\r", ack_then_done) == [b"DONE"]
    times = [t for t, _ in peer.received]
    assert len(times) == 3
    assert all(b - a >= 0.015 for a, b in itertools.pairwise(times))
    channel.close()
    await peer.stop()


async def test_busy_gives_up_after_the_configured_retries() -> None:
    policy = LinkPolicy(timeout=1, busy_retries=2, busy_delay=0.001)
    peer, channel, _ = await open_channel(lambda line: b"BUSY\r", policy=policy)
    with pytest.raises(DeviceBusy):
        await channel.request(b"GO\r", ack_then_done)
    assert len(peer.received) == 3  # the first send and two retries
    channel.close()
    await peer.stop()


async def test_requests_are_paced_and_never_overlap() -> None:
    policy = LinkPolicy(timeout=1, min_gap=0.05)
    peer, channel, _ = await open_channel(lambda line: b"DONE " + line + b"\r", policy=policy)
    replies = await asyncio.gather(
        *(channel.request(b"N%d\r" % i, ack_then_done) for i in range(4))
    )
    assert [r[0] for r in replies] == [b"DONE N%d" % i for i in range(4)]
    times = [t for t, _ in peer.received]
    assert all(b - a >= 0.045 for a, b in itertools.pairwise(times))
    channel.close()
    await peer.stop()


async def test_silence_times_out() -> None:
    peer, channel, _ = await open_channel(lambda line: None)
    with pytest.raises(DeviceTimeout, match="0.05 s"):
        await channel.request(b"GO\r", ack_then_done, timeout=0.05)
    channel.close()
    await peer.stop()


async def test_a_drop_during_a_request_is_device_offline() -> None:
    peer, channel, _ = await open_channel(lambda line: None)
    waiting = asyncio.create_task(channel.request(b"GO\r", ack_then_done))
    await until(lambda: peer.received, what="the request at the peer")
    peer.drop()
    with pytest.raises(DeviceOffline, match="connection lost"):
        await waiting
    assert channel.closed.done()
    with pytest.raises(DeviceOffline):
        await channel.request(b"AGAIN\r", ack_then_done)
    await peer.stop()


async def test_garbage_ends_the_request_at_once_as_a_protocol_error() -> None:
    answers = iter([b"\x00\x01junk\rDONE\r", b"DONE\r"])
    peer, channel, _ = await open_channel(lambda line: next(answers))
    with pytest.raises(ProtocolError):
        await channel.request(b"GO\r", ack_then_done, timeout=30)
    assert channel.garbage == 1
    assert await channel.request(b"AGAIN\r", ack_then_done) == [b"DONE"]
    channel.close()
    await peer.stop()


async def test_each_datagram_is_decoded_on_its_own() -> None:
    answers = iter([b"DONE-BUT-TRUNCATED", b"DONE\r"])
    peer, channel, _ = await open_channel(lambda line: next(answers), udp=True)
    with pytest.raises(ProtocolError, match="truncated datagram"):
        await channel.request(b"ONE", ack_then_done, timeout=30)
    assert channel.garbage == 1  # the truncated datagram, not glued to the next one
    assert await channel.request(b"TWO", ack_then_done) == [b"DONE"]
    channel.close()
    await peer.stop()


async def test_a_cancel_that_meets_the_reply_still_cancels() -> None:
    """Stopping a poller must not depend on luck: Python 3.11's wait_for would return the
    reply and drop a cancellation arriving in the same loop turn."""
    peer, channel, _ = await open_channel(lambda line: None)
    task = asyncio.create_task(channel.expect(ack_then_done))
    await asyncio.sleep(0.01)  # the request is in flight
    channel.data_received(b"DONE\r")  # the reply completes ...
    task.cancel()  # ... in the very turn the owner stops
    with pytest.raises(asyncio.CancelledError):
        await task
    channel.close()
    await peer.stop()
