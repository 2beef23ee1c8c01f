"""The simulator as a server: where it listens, what it serves, and its fault knobs seen from
a plain HTTP client on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import aiohttp
import pytest

from devices.rooms_file.device_config import OnvifCameraConfig
from devices.sim.onvif.simulator import GARBAGE, OnvifSimulator
from devices.onvif.soap import Envelope, envelope
from devices.registry import simulator_class

from .helpers import http_port

CLOCK_REQUEST = envelope("<tds:GetSystemDateAndTime/>").encode()


async def post(sim: OnvifSimulator, timeout: float = 2.0) -> tuple[int, bytes]:
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as client,
        client.post(sim.endpoints["http"], data=CLOCK_REQUEST) as response,
    ):
        return response.status, await response.read()


def test_registered_for_onvif() -> None:
    assert simulator_class("onvif") is OnvifSimulator


async def test_listens_on_loopback_port_zero_by_default() -> None:
    cfg = OnvifCameraConfig(name="cam", protocol="onvif", host="10.1.2.3", username="u", password="p")
    sim = OnvifSimulator.from_config(cfg)
    endpoints = await sim.start()
    try:
        assert endpoints["http"].startswith("http://127.0.0.1:") and http_port(endpoints) != 80
        assert endpoints["discovery"].startswith("udp://127.0.0.1:")
        assert sim.endpoints == endpoints
    finally:
        await sim.stop()


async def test_uses_the_port_the_file_names() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    cfg = OnvifCameraConfig(name="cam", protocol="onvif", host="127.0.0.1", port=free)
    sim = OnvifSimulator.from_config(cfg)
    try:
        assert http_port(await sim.start()) == free
    finally:
        await sim.stop()


async def test_answers_soap_and_serves_a_snapshot(sim: OnvifSimulator) -> None:
    status, body = await post(sim)
    assert status == 200 and Envelope.parse(body).body.name == "GetSystemDateAndTimeResponse"
    assert sim.requests == 1
    async with aiohttp.ClientSession() as client:
        async with client.get(f"{sim.service.base_url}/snapshot/main.jpg") as response:
            assert response.content_type == "image/jpeg"
            assert (await response.read())[:2] == b"\xff\xd8"
        async with client.get(f"{sim.service.base_url}/snapshot/nope.jpg") as response:
            assert response.status == 404


async def test_fault_knobs_on_the_wire(sim: OnvifSimulator) -> None:
    sim.faults.http_status = 503
    assert await post(sim) == (503, b"")
    sim.faults.http_status = None
    sim.faults.garbage = True
    assert await post(sim) == (200, GARBAGE)
    sim.faults.garbage = False
    sim.faults.soap_fault = "InvalidArgVal"
    status, body = await post(sim)
    assert status == 400 and Envelope.parse(body).body.findtext("Code/Subcode/Value") == "ter:InvalidArgVal"
    sim.faults.soap_fault = None
    sim.faults.drop = True
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await post(sim)


async def test_clock_offset_moves_the_camera_clock(sim: OnvifSimulator) -> None:
    sim.faults.clock_offset = 7200
    _, body = await post(sim)
    hour = Envelope.parse(body).body.findtext("SystemDateAndTime/UTCDateTime/Time/Hour")
    sim.faults.clock_offset = 0
    _, body = await post(sim)
    now = Envelope.parse(body).body.findtext("SystemDateAndTime/UTCDateTime/Time/Hour")
    assert (int(now or 0) + 2) % 24 == int(hour or 0)


async def test_slow_and_silent_answers(sim: OnvifSimulator) -> None:
    sim.faults.delay = 0.2
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await post(sim))[0] == 200
    assert loop.time() - started >= 0.2
    sim.faults.delay = 0
    sim.faults.no_answer = True
    with pytest.raises(asyncio.TimeoutError):
        await post(sim, timeout=0.2)


async def test_stop_releases_a_held_request() -> None:
    sim = OnvifSimulator()
    await sim.start()
    sim.faults.no_answer = True
    pending = asyncio.create_task(post(sim, timeout=5))
    await asyncio.sleep(0.1)
    await sim.stop()
    with pytest.raises(aiohttp.ClientError):
        await asyncio.wait_for(pending, 2)


async def test_can_start_again_after_stop() -> None:
    sim = OnvifSimulator()
    await sim.start()
    await sim.stop()
    await sim.start()
    try:
        assert (await post(sim))[0] == 200
        sim.faults.no_answer = True  # holds until stopped: the stop signal must be a fresh one
        with pytest.raises(asyncio.TimeoutError):
            await post(sim, timeout=0.2)
    finally:
        await sim.stop()
