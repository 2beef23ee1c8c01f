"""WS-Discovery over real UDP on 127.0.0.1: a directed (unicast) probe to the simulator's
responder. Nothing here multicasts."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from devices.onvif.discovery import probe
from devices.sim.onvif.simulator import OnvifSimulator
from devices.onvif.wsd import STREAMING_SCOPE


def responder(sim: OnvifSimulator) -> tuple[str, int]:
    where = urlsplit(sim.endpoints["discovery"])
    assert where.hostname is not None and where.port is not None
    return where.hostname, where.port


async def test_a_directed_probe_finds_the_simulator(sim: OnvifSimulator) -> None:
    [found] = await probe(responder(sim), timeout=0.3, scopes=(STREAMING_SCOPE,))
    assert found.xaddrs == (sim.endpoints["http"],)
    assert found.endpoint == sim.service.endpoint
    assert (found.name, found.hardware) == ("onvif-camera", "classbridge-sim")
    assert found.source == responder(sim)


async def test_a_probe_for_other_scopes_gets_no_answer(sim: OnvifSimulator) -> None:
    assert await probe(responder(sim), timeout=0.2, scopes=("onvif://www.onvif.org/location/danang",)) == []


async def test_noise_on_either_side_is_ignored(sim: OnvifSimulator) -> None:
    loop = asyncio.get_running_loop()
    noise, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, remote_addr=responder(sim))
    noise.sendto(b"\x00garbage")
    noise.close()
    [found] = await probe(responder(sim), timeout=0.2)
    assert found.endpoint == sim.service.endpoint


async def test_nobody_listening_means_nothing_found() -> None:
    loop = asyncio.get_running_loop()
    silent, _ = await loop.create_datagram_endpoint(asyncio.DatagramProtocol, local_addr=("127.0.0.1", 0))
    try:
        assert await probe(silent.get_extra_info("sockname"), timeout=0.1) == []
    finally:
        silent.close()
