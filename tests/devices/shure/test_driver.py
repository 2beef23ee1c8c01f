"""ShureMicrophone against the Shure simulator over real loopback TCP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import ShureMicrophoneConfig
from devices.drivers.base import LinkState, Microphone
from devices.errors import InvalidValue, DeviceOffline, DeviceRefused, DeviceTimeout, ProtocolError
from devices.shure.driver import ShureMicrophone
from devices.sim.shure.simulator import ShureSimulator
from tests.devices.link_helpers import FAST, wait_for_state
from tests.support.wait import until


@pytest.fixture
async def sim() -> AsyncIterator[ShureSimulator]:
    simulator = ShureSimulator(channels=4)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def mic(sim: ShureSimulator) -> AsyncIterator[ShureMicrophone]:
    driver = ShureMicrophone(
        "mic", "127.0.0.1", sim.port, channels=4, meter_rate_ms=100, policy=FAST, poll_interval=60
    )
    await driver.start()
    yield driver
    await driver.stop()


async def test_start_reads_the_whole_state(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    assert isinstance(mic, Microphone) and mic.link.state is LinkState.ONLINE
    assert mic.capabilities.gain_range_db == (-110.0, 30.0) and mic.capabilities.channels == 4
    await until(lambda: len(mic.picture.gains) == 4)
    status = await mic.status()
    assert status.values["muted"] is False and status.values["device_id"] == "classbridge-mic"
    assert status.values["gain_db"] == {1: 0.0, 2: 0.0, 3: 0.0, 4: 0.0}
    assert status.values["channel_names"][2] == "Channel 2"


async def test_mute_and_gain(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    await mic.set_mute(True)
    await mic.set_mute(True, channel=3)
    await mic.set_gain(-6.5, channel=2)
    assert (
        sim.state.device_mute and sim.state.channels[2].mute and sim.state.channels[1].gain == 1035
    )
    status = await mic.status()
    assert status.values["muted"] is True
    assert status.values["channel_muted"][3] is True and status.values["gain_db"][2] == -6.5
    await mic.set_mute(False)
    assert not sim.state.device_mute


async def test_levels_from_meter_frames(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    sim.set_level(1, -12)
    sim.state.channels[3].mute = True
    await until(lambda: mic.picture.levels.get(1) == -12.0)
    assert await mic.levels() == {1: -12.0, 2: -20.0, 3: -20.0, 4: -60.0}


async def test_changes_made_elsewhere_are_seen(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    _, writer = await asyncio.open_connection("127.0.0.1", sim.port)  # another controller
    writer.write(b"< SET 02 AUDIO_MUTE ON >")
    await until(lambda: mic.picture.mutes.get(2) is True)
    writer.close()


async def test_refusals(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    with pytest.raises(InvalidValue):
        await mic.set_mute(True, channel=5)
    with pytest.raises(InvalidValue):
        await mic.set_gain(31.0)
    sim.faults.busy = True  # the device answers REP ERR
    with pytest.raises(DeviceRefused):
        await mic.set_mute(True)


async def test_no_answer_slow_and_garbage(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    sim.faults.no_answer = True
    with pytest.raises(DeviceTimeout):
        await mic.set_mute(True)
    assert mic.link.state is LinkState.DEGRADED
    sim.faults.clear()
    sim.faults.delay = 0.1
    await mic.set_mute(True)
    sim.faults.delay = 0.6
    with pytest.raises(DeviceTimeout):
        await mic.set_mute(False)
    sim.faults.clear()
    sim.faults.garbage = True
    with pytest.raises(ProtocolError):
        await mic.set_gain(1.0)
    assert mic.link.garbage >= 1
    sim.faults.clear()
    await mic.set_gain(1.0)
    assert sim.state.channels[0].gain == 1110


async def test_drop_and_restart(mic: ShureMicrophone, sim: ShureSimulator) -> None:
    sim.faults.drop = True
    with pytest.raises(DeviceOffline):
        await mic.set_mute(True)
    sim.faults.clear()
    await wait_for_state(mic.link, LinkState.ONLINE)
    await mic.set_mute(True)
    await sim.stop()
    await wait_for_state(mic.link, LinkState.OFFLINE)
    assert (await mic.status()).link is LinkState.OFFLINE
    await sim.start()
    await wait_for_state(mic.link, LinkState.ONLINE)
    await mic.set_mute(False, channel=1)
    await until(lambda: bool(mic.picture.levels))  # meters restarted on the new connection


def test_from_config() -> None:
    cfg = ShureMicrophoneConfig(
        name="mic", protocol="shure", host="127.0.0.1", channels=2, timeout=1
    )
    mic = ShureMicrophone.from_config(cfg)
    assert (mic.channels, mic.link.policy.timeout, mic.capabilities.channels) == (2, 1.0, 2)


async def test_a_device_that_refuses_get_all_is_asked_parameter_by_parameter(sim: ShureSimulator) -> None:
    sim.get_all = False  # `< GET 0 ALL >` → `< REP ERR >`
    sim.state.channels[1].mute = True
    sim.state.channels[2].gain = 1050
    driver = ShureMicrophone(
        "mic", "127.0.0.1", sim.port, channels=4, meter_rate_ms=0, policy=FAST, poll_interval=60
    )
    await driver.start()
    try:
        assert driver.link.state is LinkState.ONLINE, driver.link.detail
        assert driver.picture.mutes == {1: False, 2: True, 3: False, 4: False}
        assert driver.picture.gains[3] == -5.0 and driver.picture.names[1] == "Channel 1"
        await driver.set_mute(True, channel=1)
        assert sim.state.channels[0].mute is True
    finally:
        await driver.stop()
