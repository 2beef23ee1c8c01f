"""Fixtures for the ONVIF tests: the simulator on 127.0.0.1 port 0 and a driver started on it.

PTZ motion in the simulator runs on a hand-stepped clock, so "position changes after a move"
is checked without sleeping.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from devices.onvif.driver import OnvifCamera
from devices.sim.onvif.simulator import OnvifSimulator
from tests.support.clock import ManualClock

from .helpers import TIMEOUT, http_port


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1000.0)  # the simulator's PTZ motion runs on it


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[OnvifSimulator]:
    simulator = OnvifSimulator(username="tech", password="s3cret", clock=clock)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def camera(sim: OnvifSimulator) -> AsyncIterator[OnvifCamera]:
    cam = OnvifCamera(
        "room-101-cam", "127.0.0.1", http_port(sim.endpoints), "tech", "s3cret",
        timeout=TIMEOUT, poll_interval=3600,
    )
    await cam.start()
    yield cam
    await cam.stop()
