"""DeviceLink: connect, reconnect with backoff, degrade on timeouts, start-up exchange.

Runs against a scripted line device on a real loopback socket, restarted to test reconnects.
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from devices.errors import DeviceOffline, DeviceRefused, DeviceTimeout
from devices.transport.connectors import TcpConnector
from devices.transport.exchange import Requester
from devices.transport.framing import DelimitedDecoder, FrameVerdict
from devices.transport.link import DeviceLink
from devices.transport.policy import Backoff, LinkPolicy
from devices.transport.state import LinkState
from tests.devices.transport.line_peer import LinePeer
from tests.support.server import free_port
from tests.support.wait import until

FAST = LinkPolicy(timeout=0.5, connect_timeout=1.0, backoff=Backoff(0.02, 2, 0.1))


def lines() -> DelimitedDecoder[bytes]:
    return DelimitedDecoder(b"\r", lambda frame: frame[:-1], max_length=64)


def reply(frame: bytes) -> FrameVerdict:
    if frame == b"=NO":
        raise DeviceRefused("no")
    return FrameVerdict.DONE if frame.startswith(b"=") else FrameVerdict.NOT_MINE


class Recorder:
    """Listens to a link and lets a test wait for a state."""

    def __init__(self, link: DeviceLink[bytes]) -> None:
        self.history: list[tuple[float, LinkState]] = []
        self._link = link
        link.add_listener(self._heard)

    def _heard(self, old: LinkState, new: LinkState, detail: str) -> None:
        self.history.append((asyncio.get_running_loop().time(), new))

    @property
    def states(self) -> list[LinkState]:
        return [state for _, state in self.history]

    async def wait(self, state: LinkState) -> None:
        await until(
            lambda: bool(self.history) and self.history[-1][1] is state,
            what=f"the link to be {state.value}",
            describe=lambda: f"states so far: {[s.value for s in self.states]}",
            wake=self._link.add_listener,
        )


async def test_start_request_stop() -> None:
    peer = LinePeer()
    port = await peer.start()
    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST)
    recorder = Recorder(link)
    await link.start()
    assert link.state is LinkState.ONLINE
    assert await link.request(b"PING\r", reply) == [b"=PING"]
    await link.stop()
    assert recorder.states == [LinkState.CONNECTING, LinkState.ONLINE, LinkState.OFFLINE]
    with pytest.raises(DeviceOffline, match="dev is offline"):
        await link.request(b"PING\r", reply)
    await peer.stop()


async def test_first_attempt_fails_then_the_device_appears() -> None:
    port = free_port()
    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST)
    recorder = Recorder(link)
    await link.start()
    assert link.state is LinkState.OFFLINE
    assert f"127.0.0.1:{port}" in link.detail
    with pytest.raises(DeviceOffline, match="refused"):
        await link.request(b"PING\r", reply)
    peer = LinePeer()
    peer.port = port
    await peer.start()
    await recorder.wait(LinkState.ONLINE)
    assert await link.request(b"PING\r", reply) == [b"=PING"]
    await link.stop()
    await peer.stop()


async def test_reconnect_delays_grow_exponentially_up_to_the_cap() -> None:
    backoff = Backoff(0.02, 2, 0.08)
    link = DeviceLink(
        "dev",
        TcpConnector("127.0.0.1", free_port()),
        lines,
        policy=LinkPolicy(backoff=backoff),
    )
    recorder = Recorder(link)
    await link.start()
    await until(
        lambda: recorder.states.count(LinkState.CONNECTING) >= 6,
        what="six connection attempts",
        wake=link.add_listener,
    )
    await link.stop()
    starts = [t for t, state in recorder.history if state is LinkState.CONNECTING]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    for attempt, gap in enumerate(gaps):
        assert gap >= backoff.delay(attempt) * 0.9
    assert max(gaps) < 0.08 + 0.5  # capped: never the uncapped 0.32 s of attempt 4 plus slack


async def test_reconnects_after_the_device_restarts() -> None:
    peer = LinePeer()
    port = await peer.start()
    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST)
    recorder = Recorder(link)
    await link.start()
    await peer.stop()  # closes the connection and the listening socket
    await recorder.wait(LinkState.OFFLINE)
    with pytest.raises(DeviceOffline):
        await link.request(b"PING\r", reply)
    await peer.start()  # same port
    await recorder.wait(LinkState.ONLINE)
    assert await link.request(b"PING\r", reply) == [b"=PING"]
    assert peer.connections == 2
    assert recorder.states[:4] == [
        LinkState.CONNECTING,
        LinkState.ONLINE,
        LinkState.OFFLINE,
        LinkState.CONNECTING,
    ]
    await link.stop()
    await peer.stop()


async def test_timeout_degrades_and_an_answer_restores_online() -> None:
    silent = {b"SLOW"}
    peer = LinePeer(lambda line: None if line in silent else b"=" + line + b"\r")
    port = await peer.start()
    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST)
    await link.start()
    with pytest.raises(DeviceTimeout):
        await link.request(b"SLOW\r", reply, timeout=0.05)
    assert link.state is LinkState.DEGRADED
    assert "no answer within" in link.detail
    assert await link.request(b"PING\r", reply) == [b"=PING"]
    assert link.state is LinkState.ONLINE
    await link.stop()
    await peer.stop()


async def test_a_refusal_counts_as_an_answer() -> None:
    peer = LinePeer()
    port = await peer.start()
    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST)
    await link.start()
    with pytest.raises(DeviceTimeout):
        await link.request(b"", reply, timeout=0.02)  # nothing sent, nothing comes
    assert link.state is LinkState.DEGRADED
    with pytest.raises(DeviceRefused):
        await link.request(b"NO\r", reply)
    assert link.state is LinkState.ONLINE
    await link.stop()
    await peer.stop()


async def test_start_up_exchange_runs_on_every_connection_and_can_fail_it() -> None:
    peer = LinePeer(lambda line: b"=" + line + b"\r" if line != b"LOGIN" or ok[0] else None)
    ok = [False]
    port = await peer.start()
    logins: list[list[bytes]] = []

    async def login(channel: Requester[bytes]) -> None:
        logins.append(await channel.request(b"LOGIN\r", reply, timeout=0.2))

    link = DeviceLink("dev", TcpConnector("127.0.0.1", port), lines, policy=FAST, on_connect=login)
    recorder = Recorder(link)
    await link.start()
    assert link.state is LinkState.OFFLINE
    assert "no answer within" in link.detail
    ok[0] = True
    await recorder.wait(LinkState.ONLINE)
    peer.drop()
    await recorder.wait(LinkState.OFFLINE)
    await recorder.wait(LinkState.ONLINE)
    assert logins == [[b"=LOGIN"], [b"=LOGIN"]]
    await link.stop()
    await peer.stop()


async def test_unsolicited_frames_reach_the_callback() -> None:
    peer = LinePeer(lambda line: b"NOTICE\r=" + line + b"\r")
    port = await peer.start()
    heard: list[bytes] = []
    link = DeviceLink(
        "dev", TcpConnector("127.0.0.1", port), lines, policy=FAST, on_unsolicited=heard.append
    )
    await link.start()
    assert await link.request(b"PING\r", reply) == [b"=PING"]
    assert heard == [b"NOTICE"]
    assert link.garbage == 0
    await link.stop()
    await peer.stop()
