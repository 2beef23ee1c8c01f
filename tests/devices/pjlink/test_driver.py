"""PJLinkProjector against the PJLink simulator over real loopback TCP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import PJLinkProjectorConfig
from devices.drivers.base import Display, LinkState
from devices.errors import (
    InvalidValue,
    ProtocolError,
    AuthError,
    ConfigError,
    DeviceBusy,
    DeviceOffline,
    DeviceTimeout,
    Unsupported,
)
from devices.pjlink.driver import PJLinkProjector
from devices.sim.pjlink.simulator import PJLinkSimulator
from tests.devices.link_helpers import FAST, wait_for_state
from tests.support.clock import ManualClock
from tests.support.wait import until


@pytest.fixture
def clock() -> ManualClock:
    """The projector's clock, moved by the test so warm-up never races the machine's load."""
    return ManualClock()


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[PJLinkSimulator]:
    simulator = PJLinkSimulator(warm_up=30, cool_down=30, clock=clock)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture
async def projector(sim: PJLinkSimulator) -> AsyncIterator[PJLinkProjector]:
    driver = PJLinkProjector("projector", "127.0.0.1", sim.port, policy=FAST, poll_interval=60)
    await driver.start()
    yield driver
    await driver.stop()


async def test_is_a_display_with_the_projectors_inputs(projector: PJLinkProjector) -> None:
    assert isinstance(projector, Display)
    assert projector.link.state is LinkState.ONLINE
    assert projector.capabilities.inputs == ("rgb1", "video1", "digital1", "digital2", "network1")
    assert not projector.capabilities.volume


async def test_power_on_warm_up_refusal_then_input_and_mute(
    projector: PJLinkProjector, clock: ManualClock
) -> None:
    status = await projector.status()
    assert (status.power, status.values["power_state"]) == (False, "off")
    await projector.set_power(True)
    status = await projector.status()
    assert status.values["power_state"] == "warming" and status.power is False
    with pytest.raises(DeviceBusy, match="warming up"):
        await projector.set_input("digital2")
    clock.now += 30
    await projector.set_input("digital2")
    await projector.set_mute(True)
    await projector.set_video_mute(True)
    status = await projector.status()
    assert status.power is True and status.link is LinkState.ONLINE
    assert status.values["input"] == "digital2"
    assert (status.values["muted"], status.values["video_muted"]) == (True, True)
    assert status.values["lamp_hours"] == [1234] and status.values["errors"] == {}
    await projector.set_power(False)
    with pytest.raises(DeviceBusy, match="cooling down"):
        await projector.set_power(True)
    clock.now += 30
    with pytest.raises(DeviceBusy, match="is off"):
        await projector.set_mute(False)


async def test_refusals(projector: PJLinkProjector, sim: PJLinkSimulator) -> None:
    with pytest.raises(Unsupported):
        await projector.set_volume(10)
    with pytest.raises(InvalidValue, match="no input"):
        await projector.set_input("hdmi1")
    sim.state.power = sim.state.power.ON
    with pytest.raises(InvalidValue):  # a name PJLink can write but this projector lacks: ERR2
        await projector.set_input("storage1")


async def test_authentication() -> None:
    sim = PJLinkSimulator(password="s3cret")
    await sim.start()
    try:
        good = PJLinkProjector(
            "p", "127.0.0.1", sim.port, password="s3cret", policy=FAST, poll_interval=60
        )
        await good.start()
        await good.set_power(True)
        assert (await good.status()).values["power_state"] in ("warming", "on")
        await good.stop()
        for password in ("wrong", None):
            bad = PJLinkProjector(
                "p", "127.0.0.1", sim.port, password=password, policy=FAST, poll_interval=60
            )
            await bad.start()
            with pytest.raises(AuthError):
                await bad.set_power(True)
            assert "password" in (await bad.status()).detail
            await bad.stop()
    finally:
        await sim.stop()


async def test_no_answer_and_slow_answer(projector: PJLinkProjector, sim: PJLinkSimulator) -> None:
    sim.faults.no_answer = True
    with pytest.raises(DeviceTimeout):
        await projector.set_power(True)
    assert projector.link.state is LinkState.DEGRADED
    sim.faults.clear()
    sim.faults.delay = 0.1  # slower than usual, within the timeout
    await projector.set_power(True)
    assert projector.link.state is LinkState.ONLINE
    sim.faults.delay = 0.6  # beyond the 0.4 s timeout
    with pytest.raises(DeviceTimeout):
        await projector.set_input("digital1")


async def test_busy(projector: PJLinkProjector, sim: PJLinkSimulator) -> None:
    sim.faults.busy = True
    with pytest.raises(DeviceBusy):
        await projector.set_power(True)


async def test_garbage_is_a_protocol_error(
    projector: PJLinkProjector, sim: PJLinkSimulator, clock: ManualClock
) -> None:
    sim.faults.garbage = True
    with pytest.raises(ProtocolError):
        await projector.set_power(True)
    assert projector.link.garbage >= 1
    sim.faults.clear()
    clock.now += 30  # the garbled reply hid an OK: the projector warmed up meanwhile
    await projector.set_power(True)


async def test_drop_then_reconnect(projector: PJLinkProjector, sim: PJLinkSimulator) -> None:
    sim.faults.drop = True
    with pytest.raises(DeviceOffline):
        await projector.set_power(True)
    sim.faults.clear()
    await wait_for_state(projector.link, LinkState.ONLINE)
    await projector.set_power(True)


async def test_reconnects_after_the_projector_restarts(
    projector: PJLinkProjector, sim: PJLinkSimulator
) -> None:
    await sim.stop()
    await wait_for_state(projector.link, LinkState.OFFLINE)
    with pytest.raises(DeviceOffline):
        await projector.set_power(True)
    assert (await projector.status()).link is LinkState.OFFLINE
    await sim.start()
    await wait_for_state(projector.link, LinkState.ONLINE)
    await projector.set_power(True)


async def test_polling_keeps_an_idle_session_open() -> None:
    sim = PJLinkSimulator(idle_timeout=0.3)
    await sim.start()
    states: list[LinkState] = []
    kept = PJLinkProjector("p", "127.0.0.1", sim.port, policy=FAST, poll_interval=0.1)
    kept.link.add_listener(lambda old, new, detail: states.append(new))
    await kept.start()
    await asyncio.sleep(0.8)
    assert LinkState.OFFLINE not in states
    await kept.stop()
    idle = PJLinkProjector("p", "127.0.0.1", sim.port, policy=FAST, poll_interval=60)
    idle.link.add_listener(lambda old, new, detail: states.append(new))
    await idle.start()

    # the projector hung up; the link comes back by itself
    await until(
        lambda: LinkState.OFFLINE in states, what="the projector to hang up", wake=idle.link.add_listener
    )
    await wait_for_state(idle.link, LinkState.ONLINE)
    await idle.set_power(True)
    await idle.stop()
    await sim.stop()


def test_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = PJLinkProjectorConfig(
        name="proj", protocol="pjlink", host="127.0.0.1", password_env="PJ_TEST_PW"
    )
    with pytest.raises(ConfigError, match="PJ_TEST_PW"):
        PJLinkProjector.from_config(cfg)
    monkeypatch.setenv("PJ_TEST_PW", "x")
    driver = PJLinkProjector.from_config(cfg)
    assert (driver.name, driver.password, driver.link.policy.timeout) == ("proj", "x", 2.0)
