"""Supervision of one device: the pace, the link watched, silence counted, views published."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import MdcDisplayConfig, PJLinkProjectorConfig
from devices.drivers.base import LinkState
from devices.sim.mdc.simulator import MdcSimulator
from devices.sim.pjlink.simulator import PJLinkSimulator
from devices.room.fleet import build_driver
from devices.room.supervisor import PACE, Supervisor, pace_of
from devices.room.device_view import DeviceView
from tests.support.wait import until


def test_pace_follows_the_protocol_unless_the_file_says() -> None:
    projector = PJLinkProjectorConfig(name="p", protocol="pjlink", host="h")
    assert pace_of(projector) == PACE["pjlink"] == 10.0
    display = MdcDisplayConfig.model_validate(
        {"name": "d", "protocol": "mdc", "link": {"transport": "tcp", "host": "h", "port": 1}, "poll_interval": 7}
    )
    assert pace_of(display) == 7.0


@pytest.fixture
async def projector() -> AsyncIterator[PJLinkSimulator]:
    sim = PJLinkSimulator()
    await sim.start()
    yield sim
    await sim.stop()


async def test_views_follow_the_link_and_the_polls(projector: PJLinkSimulator) -> None:
    cfg = PJLinkProjectorConfig(name="projector", protocol="pjlink", host="127.0.0.1", port=projector.port, timeout=0.5)
    views: list[DeviceView] = []
    supervisor = Supervisor(cfg, build_driver(cfg), views.append, pace=0.1)
    assert supervisor.view.link is LinkState.OFFLINE and supervisor.view.controls.power
    await supervisor.start()
    try:
        await until(lambda: supervisor.view.polled_at is not None)
        assert supervisor.view.power == "off" and supervisor.device.link.state is LinkState.ONLINE
        projector.state.lamp_hours += 1  # not part of the view: no news
        count = len(views)
        await asyncio.sleep(0.3)
        assert len(views) == count
        await projector.stop()
        await until(lambda: supervisor.view.link is LinkState.OFFLINE)
        assert supervisor.view.power == "off"  # the last known values stay
        await projector.start()
        await until(lambda: supervisor.view.link is LinkState.ONLINE, timeout=5)
    finally:
        await supervisor.stop()
    assert [v.link for v in views].count(LinkState.OFFLINE) >= 1


async def test_silence_counts_polls_until_offline() -> None:
    sim = MdcSimulator(serial=False)
    await sim.start()
    cfg = MdcDisplayConfig.model_validate(
        {"name": "d", "protocol": "mdc", "link": {"transport": "tcp", "host": "127.0.0.1", "port": sim.port}, "timeout": 0.2}
    )
    supervisor = Supervisor(cfg, build_driver(cfg), lambda v: None, pace=30, offline_after=3, retry=0.05)
    await supervisor.start()
    try:
        await until(lambda: supervisor.view.polled_at is not None)
        sim.faults.no_answer = True
        supervisor.poll_soon()  # the next poll is 30 s away: the retries after it are not
        await until(lambda: supervisor.view.link is LinkState.OFFLINE)
        assert supervisor.failures >= 3 and supervisor.view.detail.startswith("no answer to 3 polls")
        sim.faults.clear()
        await until(lambda: supervisor.view.link is LinkState.ONLINE)
        assert supervisor.failures == 0 and supervisor.view.detail == ""
    finally:
        await supervisor.stop()
        await sim.stop()


async def test_an_offline_device_is_polled_at_its_pace(projector: PJLinkSimulator) -> None:
    cfg = PJLinkProjectorConfig(name="projector", protocol="pjlink", host="127.0.0.1", port=projector.port, timeout=0.5)
    supervisor = Supervisor(cfg, build_driver(cfg), lambda v: None, pace=30, retry=0.01)
    await supervisor.start()
    try:
        await projector.stop()
        await until(lambda: supervisor.view.link is LinkState.OFFLINE)
        failures = supervisor.failures
        await asyncio.sleep(0.3)
        assert supervisor.failures <= failures + 1  # no fast retries while the link is down
        await projector.start()
        await until(lambda: supervisor.view.link is LinkState.ONLINE and supervisor.failures == 0, timeout=5)
    finally:
        await supervisor.stop()
