"""MdcDisplay against the MDC simulator over real loopback TCP and a real pseudo-terminal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import MdcDisplayConfig
from devices.drivers.base import Display, LinkState
from devices.errors import InvalidValue, DeviceOffline, DeviceRefused, DeviceTimeout, ProtocolError
from devices.mdc.driver import MdcDisplay
from devices.mdc.errors import MdcNak
from devices.sim.mdc.simulator import MdcSimulator
from devices.mdc.values import InputSource, PowerState
from devices.transport import SerialConnector, TcpConnector
from tests.devices.link_helpers import FAST, wait_for_state


@pytest.fixture
async def sim() -> AsyncIterator[MdcSimulator]:
    simulator = MdcSimulator(display_id=5)
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture(params=["tcp", "serial"])
async def display(request: pytest.FixtureRequest, sim: MdcSimulator) -> AsyncIterator[MdcDisplay]:
    if request.param == "tcp":
        connector = TcpConnector("127.0.0.1", sim.port)
    else:
        assert sim.serial_path is not None
        connector = SerialConnector(sim.serial_path, 9600)
    driver = MdcDisplay("wall", connector, 5, policy=FAST, poll_interval=60)
    await driver.start()
    yield driver
    await driver.stop()


async def test_controls_and_status(display: MdcDisplay, sim: MdcSimulator) -> None:
    assert isinstance(display, Display) and display.link.state is LinkState.ONLINE
    assert "hdmi1" in display.capabilities.inputs and "hdmi1_pc" not in display.capabilities.inputs
    await display.set_power(True)
    await display.set_input("hdmi2")
    await display.set_volume(24)
    await display.set_mute(True)
    assert (sim.state.power, sim.state.input, sim.state.volume) == (
        PowerState.ON,
        InputSource.HDMI2,
        24,
    )
    status = await display.status()
    assert status.power is True and status.link is LinkState.ONLINE
    assert status.values == {"input": "hdmi2", "volume": 24, "muted": True}
    assert await display.identity() == {
        "serial": "CBSIM0000001",
        "software": "S-CB-SIM-1.0",
        "model_code": 0x31,
        "model_species": 0x04,
    }


async def test_bad_values_never_reach_the_wire(display: MdcDisplay) -> None:
    for action in (
        display.set_input("scart"),
        display.set_input("hdmi1_pc"),
        display.set_volume(101),
    ):
        with pytest.raises(InvalidValue):
            await action


async def test_busy_is_a_nak(display: MdcDisplay, sim: MdcSimulator) -> None:
    sim.faults.busy = True
    with pytest.raises(MdcNak) as caught:
        await display.set_power(True)
    assert isinstance(caught.value, DeviceRefused) and caught.value.command == 0x11
    assert display.link.state is LinkState.ONLINE  # a refusal is an answer


async def test_no_answer_slow_answer_and_garbage(display: MdcDisplay, sim: MdcSimulator) -> None:
    sim.faults.no_answer = True
    with pytest.raises(DeviceTimeout):
        await display.set_power(True)
    assert display.link.state is LinkState.DEGRADED
    sim.faults.clear()
    sim.faults.delay = 0.1
    await display.set_power(True)
    assert display.link.state is LinkState.ONLINE
    sim.faults.delay = 0.6
    with pytest.raises(DeviceTimeout):
        await display.set_volume(10)
    sim.faults.clear()
    await asyncio.sleep(0.3)  # let the late reply arrive; it must not be taken for the next answer
    sim.faults.garbage = True
    with pytest.raises(ProtocolError):
        await display.set_mute(True)
    assert display.link.garbage >= 1
    sim.faults.clear()
    await display.set_mute(False)
    assert (await display.status()).values["muted"] is False


async def test_drop(display: MdcDisplay, sim: MdcSimulator) -> None:
    sim.faults.drop = True
    if isinstance(display.link.connector, TcpConnector):
        with pytest.raises(DeviceOffline):
            await display.set_power(True)
        sim.faults.clear()
        await wait_for_state(display.link, LinkState.ONLINE)
    else:  # a serial line cannot hang up: the display just goes quiet
        with pytest.raises(DeviceTimeout):
            await display.set_power(True)
        sim.faults.clear()
    await display.set_power(True)


async def test_reconnects_after_the_display_restarts(sim: MdcSimulator) -> None:
    display = MdcDisplay(
        "wall", TcpConnector("127.0.0.1", sim.port), 5, policy=FAST, poll_interval=60
    )
    await display.start()
    await sim.stop()
    await wait_for_state(display.link, LinkState.OFFLINE)
    assert (await display.status()).link is LinkState.OFFLINE
    with pytest.raises(DeviceOffline):
        await display.set_power(True)
    await sim.start()
    await wait_for_state(display.link, LinkState.ONLINE)
    await display.set_power(True)
    await display.stop()


async def test_another_display_id_gets_no_answer(sim: MdcSimulator) -> None:
    display = MdcDisplay(
        "other", TcpConnector("127.0.0.1", sim.port), 6, policy=FAST, poll_interval=60
    )
    await display.start()
    with pytest.raises(DeviceTimeout):
        await display.set_power(True)
    await display.stop()


async def test_polling_notices_a_dead_line(sim: MdcSimulator) -> None:
    display = MdcDisplay(
        "wall", TcpConnector("127.0.0.1", sim.port), 5, policy=FAST, poll_interval=0.05
    )
    await display.start()
    sim.faults.no_answer = True
    await wait_for_state(display.link, LinkState.DEGRADED)
    sim.faults.clear()
    await wait_for_state(display.link, LinkState.ONLINE)
    await display.stop()


def test_from_config() -> None:
    cfg = MdcDisplayConfig.model_validate(
        {
            "name": "wall",
            "protocol": "mdc",
            "display_id": 7,
            "timeout": 1.5,
            "link": {"transport": "serial", "port": "socket://127.0.0.1:4001"},
        }
    )
    display = MdcDisplay.from_config(cfg)
    assert (display.display_id, display.link.policy.timeout) == (7, 1.5)
    assert isinstance(display.link.connector, SerialConnector)
