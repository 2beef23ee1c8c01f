"""Answers that make no sense are protocol errors, for every protocol's exchange, not silence.

Each driver talks to its simulator over real loopback TCP; the simulator's fault knobs make it
answer garbage, a frame cut in half, or (MDC) a frame with a wrong checksum. Garbage and a bad
checksum end the command at once (well before the answer timer); half a frame ends it when the
timer runs out, still as a `ProtocolError` (the CLI's exit 10), and the next command works.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest

from devices.drivers.base import AnyDevice
from devices.errors import ProtocolError
from devices.mdc.driver import MdcDisplay
from devices.pjlink.driver import PJLinkProjector
from devices.shure.driver import ShureMicrophone
from devices.sim.mdc.simulator import MdcSimulator
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.sim.shure.simulator import ShureSimulator
from devices.sim.visca.simulator import ViscaSimulator
from devices.transport import Backoff, LinkPolicy, TcpConnector
from devices.visca.driver import RawFraming, ViscaCamera

TIMEOUT = 2.0
POLICY = LinkPolicy(timeout=TIMEOUT, connect_timeout=3.0, busy_retries=0, backoff=Backoff(0.05, 2, 0.2))
SHORT = LinkPolicy(timeout=0.4, connect_timeout=3.0, busy_retries=0, backoff=Backoff(0.05, 2, 0.2))


@dataclass
class Peer:
    """A driver, its simulator, one command, and how to turn a fault knob on and off."""

    device: AnyDevice
    command: Callable[[], Awaitable[None]]
    fault: Callable[[str, bool], None]
    stop: Callable[[], Awaitable[None]]


async def visca(policy: LinkPolicy) -> Peer:
    sim = ViscaSimulator()
    await sim.start()
    camera = ViscaCamera(
        "cam", TcpConnector("127.0.0.1", sim.tcp_port), RawFraming(1, serial_line=False), policy=policy
    )

    def fault(knob: str, on: bool) -> None:
        setattr(sim.faults, knob, 1 if on else 0)

    async def stop() -> None:
        await camera.stop()
        await sim.stop()

    return Peer(camera, lambda: camera.zoom(0), fault, stop)


async def pjlink(policy: LinkPolicy) -> Peer:
    sim = PJLinkSimulator(warm_up=0, cool_down=0)
    await sim.start()
    projector = PJLinkProjector("projector", "127.0.0.1", sim.port, policy=policy, poll_interval=60)

    async def stop() -> None:
        await projector.stop()
        await sim.stop()

    return Peer(projector, lambda: projector.set_power(True), lambda k, on: setattr(sim.faults, k, on), stop)


async def mdc(policy: LinkPolicy) -> Peer:
    sim = MdcSimulator(display_id=1)
    await sim.start()
    display = MdcDisplay("wall", TcpConnector("127.0.0.1", sim.port), 1, policy=policy, poll_interval=60)

    async def stop() -> None:
        await display.stop()
        await sim.stop()

    return Peer(display, lambda: display.set_power(True), lambda k, on: setattr(sim.faults, k, on), stop)


async def shure(policy: LinkPolicy) -> Peer:
    sim = ShureSimulator(channels=2)
    await sim.start()
    mic = ShureMicrophone(
        "mic", "127.0.0.1", sim.port, channels=2, meter_rate_ms=0, policy=policy, poll_interval=60
    )

    async def stop() -> None:
        await mic.stop()
        await sim.stop()

    return Peer(mic, lambda: mic.set_mute(True), lambda k, on: setattr(sim.faults, k, on), stop)


PEERS = {"visca": visca, "pjlink": pjlink, "mdc": mdc, "shure": shure}


@pytest.fixture
async def started() -> AsyncIterator[Callable[[str, LinkPolicy], Awaitable[Peer]]]:
    peers: list[Peer] = []

    async def start(protocol: str, policy: LinkPolicy) -> Peer:
        peer = await PEERS[protocol](policy)
        peers.append(peer)
        await peer.device.start()
        assert peer.device.link.state.connected, peer.device.link.detail
        return peer

    yield start
    for peer in peers:
        await peer.stop()


async def failure(peer: Peer) -> tuple[BaseException, float]:
    began = time.monotonic()
    with pytest.raises(ProtocolError) as raised:
        await peer.command()
    return raised.value, time.monotonic() - began


@pytest.mark.parametrize("protocol", list(PEERS))
async def test_garbage_is_a_protocol_error_at_once(
    started: Callable[[str, LinkPolicy], Awaitable[Peer]], protocol: str
) -> None:
    peer = await started(protocol, POLICY)
    peer.fault("garbage", True)
    error, took = await failure(peer)
    assert took < TIMEOUT / 2, f"{protocol}: {error} took {took:.2f} s"
    peer.fault("garbage", False)
    await peer.command()


@pytest.mark.parametrize("protocol", list(PEERS))
async def test_half_a_frame_is_a_protocol_error_and_the_next_answer_is_read(
    started: Callable[[str, LinkPolicy], Awaitable[Peer]], protocol: str
) -> None:
    peer = await started(protocol, SHORT)
    peer.fault("truncate", True)
    error, _ = await failure(peer)
    assert "incomplete answer" in str(error)
    peer.fault("truncate", False)
    await peer.command()


async def test_a_wrong_mdc_checksum_is_a_protocol_error_at_once(
    started: Callable[[str, LinkPolicy], Awaitable[Peer]],
) -> None:
    peer = await started("mdc", POLICY)
    peer.fault("bad_checksum", True)
    error, took = await failure(peer)
    assert "checksum" in str(error) and took < TIMEOUT / 2
    peer.fault("bad_checksum", False)
    await peer.command()
