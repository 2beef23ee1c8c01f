"""The ordered setup, seen from the simulator's side, and where it stops when a step fails."""

from __future__ import annotations

import asyncio

import pytest

from devices.drivers.base import LinkState
from devices.errors import DeviceTimeout
from devices.onvif.session import OnvifSession
from devices.sim.onvif.simulator import OnvifSimulator

from .helpers import TIMEOUT, http_port


def session(sim: OnvifSimulator, **kwargs: object) -> OnvifSession:
    return OnvifSession("127.0.0.1", http_port(sim.endpoints), "tech", "s3cret", timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]


async def test_setup_runs_in_home_assistants_order(sim: OnvifSimulator) -> None:
    s = session(sim)
    try:
        await s.setup()
        assert list(sim.service.history) == [
            "GetSystemDateAndTime", "GetServices", "GetDeviceInformation", "GetProfiles", "GetNodes"
        ]
        assert s.link.state is LinkState.ONLINE and s.profile is not None and s.profile.token == "main"
    finally:
        await s.shutdown()
    assert s.link.state is LinkState.OFFLINE


async def test_getservices_refused_then_getcapabilities(sim: OnvifSimulator) -> None:
    sim.service.services_supported = False
    s = session(sim)
    try:
        await s.setup()
        assert list(sim.service.history)[:3] == ["GetSystemDateAndTime", "GetServices", "GetCapabilities"]
    finally:
        await s.shutdown()


async def test_a_skewed_clock_is_measured_again_by_the_library(sim: OnvifSimulator) -> None:
    sim.faults.clock_offset = -600
    s = session(sim)
    try:
        await s.setup()
        assert s.time_adjusted and s.clock_skew == pytest.approx(-600, abs=2)
        # adjust_time makes onvif-zeep-async ask for the clock itself before GetServices.
        assert list(sim.service.history)[:3] == ["GetSystemDateAndTime", "GetSystemDateAndTime", "GetServices"]
    finally:
        await s.shutdown()


async def test_a_silent_camera_fails_the_first_step_in_time(sim: OnvifSimulator) -> None:
    sim.faults.no_answer = True
    s = session(sim)
    with pytest.raises(DeviceTimeout, match="GetSystemDateAndTime"):
        await s.setup()
    assert s.link.state is LinkState.OFFLINE and "no answer" in s.link.detail
    await s.shutdown()


async def test_calls_arriving_together_share_one_setup(sim: OnvifSimulator) -> None:
    s = session(sim)
    try:
        replies = await asyncio.gather(*(s.call("devicemgmt", "GetDeviceInformation") for _ in range(5)))
        assert {r.SerialNumber for r in replies} == {"SIM-0001"}
        assert list(sim.service.history).count("GetProfiles") == 1
    finally:
        await s.shutdown()


async def test_a_cancelled_setup_leaves_nothing_open(sim: OnvifSimulator) -> None:
    sim.faults.no_answer = True
    s = session(sim)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(s.setup(), 0.1)
    assert s.link.state is LinkState.OFFLINE and "interrupted" in s.link.detail
    sim.faults.no_answer = False
    await s.setup()
    assert s.link.state is LinkState.ONLINE
    await s.shutdown()
