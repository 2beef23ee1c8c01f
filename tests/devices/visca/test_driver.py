"""ViscaCamera against ViscaSimulator over a real pty, TCP and UDP, with every fault knob."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import ViscaCameraConfig
from devices.drivers.base import PanTiltZoom
from devices.errors import DeviceBusy, DeviceOffline, DeviceTimeout, ProtocolError
from devices.transport.policy import Backoff, LinkPolicy
from devices.transport.state import LinkState
from devices.visca.driver import ViscaCamera
from devices.visca.errors import BufferFull, NotExecutable
from devices.sim.visca.camera import SimulatedCamera
from devices.sim.visca.simulator import ViscaSimulator
from tests.devices.link_helpers import wait_for_state

FAST = LinkPolicy(
    timeout=0.5, connect_timeout=1.5, busy_retries=3, busy_delay=0.01, backoff=Backoff(0.02, 2, 0.1)
)
TRANSPORTS = ["serial", "tcp", "udp"]


def config(sim: ViscaSimulator, transport: str, **extra: object) -> ViscaCameraConfig:
    links: dict[str, dict[str, object]] = {
        "serial": {"transport": "serial", "port": sim.serial_path},
        "tcp": {"transport": "tcp", "host": "127.0.0.1", "port": sim.tcp_port},
        "udp": {"transport": "udp", "host": "127.0.0.1", "port": sim.udp_port},
    }
    return ViscaCameraConfig.model_validate(
        {"name": "cam", "protocol": "visca", "link": links[transport], "presets": 8, **extra}
    )


def camera_position(sim: ViscaSimulator) -> PanTiltZoom:
    snap = sim.camera.snapshot()
    return PanTiltZoom(float(snap["pan"]), float(snap["tilt"]), float(snap["zoom"]))  # type: ignore[arg-type]


@pytest.fixture
async def sim() -> AsyncIterator[ViscaSimulator]:
    simulator = ViscaSimulator(SimulatedCamera(preset_slots=8))
    await simulator.start()
    yield simulator
    await simulator.stop()


@pytest.fixture(params=TRANSPORTS)
async def camera(request: pytest.FixtureRequest, sim: ViscaSimulator) -> AsyncIterator[ViscaCamera]:
    cam = ViscaCamera.from_config(config(sim, request.param), policy=FAST)
    await cam.start()
    assert cam.link.state is LinkState.ONLINE, cam.link.detail
    yield cam
    await cam.stop()


async def test_facade_drives_the_camera(camera: ViscaCamera, sim: ViscaSimulator) -> None:
    state = sim.camera
    await camera.move(-1.0, 0.5)
    assert state.pan.velocity == -0x18 * 100 and state.tilt.velocity == 12 * 100
    await camera.stop_move()
    assert state.pan.velocity == 0 and state.tilt.velocity == 0
    await camera.zoom(1.0)
    assert state.zoom.velocity > 0
    await camera.zoom(-0.2)
    assert state.zoom.velocity < 0
    await camera.zoom(0)
    assert state.zoom.velocity == 0
    await camera.save_preset(2)
    assert 2 in state.presets
    await camera.recall_preset(2)
    await camera.home()
    await asyncio.sleep(0.1)  # home at full speed takes < 0.1 s from where we are
    assert await camera.position() == camera_position(sim)
    await camera.set_power(False)
    assert state.power is False
    status = await camera.status()
    assert (status.link, status.power, status.values) == (LinkState.ONLINE, False, {})
    await camera.set_power(True)
    status = await camera.status()
    assert status.power is True and set(status.values) == {"pan", "tilt", "zoom"}


async def test_capabilities_and_bad_values(camera: ViscaCamera) -> None:
    assert camera.capabilities.presets == 8 and camera.capabilities.power
    with pytest.raises(ValueError, match="pan speed"):
        await camera.move(1.5, 0)
    with pytest.raises(ValueError, match="0..7"):
        await camera.recall_preset(8)
    with pytest.raises(ValueError, match="zoom speed"):
        await camera.zoom(-2)


async def test_no_answer_times_out_degrades_then_recovers(
    camera: ViscaCamera, sim: ViscaSimulator
) -> None:
    sim.faults.no_answer = True
    with pytest.raises(DeviceTimeout):
        await camera.save_preset(1)
    assert camera.link.state is LinkState.DEGRADED
    status = await camera.status()
    assert status.link is LinkState.DEGRADED and "no answer within" in status.detail
    sim.faults.no_answer = False
    await camera.home()
    assert camera.link.state is LinkState.ONLINE


async def test_slow_answer_within_and_beyond_the_timeout(
    camera: ViscaCamera, sim: ViscaSimulator
) -> None:
    sim.faults.slow_answer = 0.05
    await camera.save_preset(1)
    sim.faults.slow_answer = 1.2  # beyond two answer timers: UDP's resend gets no answer either
    with pytest.raises(DeviceTimeout):
        await camera.save_preset(1)
    sim.faults.slow_answer = 0
    await asyncio.sleep(1.2)  # let the late replies arrive: they must not confuse what follows
    await camera.save_preset(3)
    assert await camera.position() == camera_position(sim)


async def test_busy_is_retried_then_reported(camera: ViscaCamera, sim: ViscaSimulator) -> None:
    sim.faults.busy = 2
    await camera.home()
    assert sim.faults.busy == 0
    sim.faults.busy = 10
    with pytest.raises(BufferFull) as caught:
        await camera.home()
    assert isinstance(caught.value, DeviceBusy)
    assert sim.faults.busy == 10 - 4  # the first send and three retries
    assert camera.link.state is LinkState.ONLINE  # the camera answered each time


async def test_not_executable_is_a_refusal(camera: ViscaCamera, sim: ViscaSimulator) -> None:
    sim.faults.not_executable = 1
    with pytest.raises(NotExecutable):
        await camera.recall_preset(1)
    await camera.recall_preset(1)


async def test_udp_resends_a_lost_datagram_with_the_same_sequence_number(sim: ViscaSimulator) -> None:
    camera = ViscaCamera.from_config(config(sim, "udp"), policy=FAST)
    await camera.start()
    try:
        sim.faults.drop = 1  # the first datagram is lost
        await camera.save_preset(2)
        assert 2 in sim.camera.presets and sim.faults.drop == 0
        resets = sim.sequence_resets
        sim.faults.drop = 2  # the packet and its resend are lost: a timeout, then a sequence reset
        with pytest.raises(DeviceTimeout):
            await camera.save_preset(3)
        assert sim.sequence_resets == resets + 1
        await camera.save_preset(3)
        assert 3 in sim.camera.presets
    finally:
        await camera.stop()


async def test_not_executable_without_an_ack_is_the_answer_at_once(
    camera: ViscaCamera, sim: ViscaSimulator
) -> None:
    """`90 61 41 FF` instead of an ACK: home waits 5 answer timers for its completion, so a
    refusal that is not taken as the answer shows as a long wait and then a timeout."""
    sim.faults.refused = 1
    began = asyncio.get_running_loop().time()
    with pytest.raises(NotExecutable):
        await camera.home()
    assert asyncio.get_running_loop().time() - began < FAST.timeout
    await camera.home()


async def test_garbage_is_a_protocol_error_then_the_camera_is_read_again(
    camera: ViscaCamera, sim: ViscaSimulator
) -> None:
    sim.faults.garbage = 1
    with pytest.raises(ProtocolError):
        await camera.home()
    assert camera.link.garbage >= 1
    assert (await camera.status()).power is True


@pytest.mark.parametrize("transport", ["serial", "tcp"])
async def test_drop_goes_offline_and_reconnects(sim: ViscaSimulator, transport: str) -> None:
    camera = ViscaCamera.from_config(config(sim, transport), policy=FAST)
    await camera.start()
    seen: list[LinkState] = []
    camera.link.add_listener(lambda old, new, detail: seen.append(new))
    sim.faults.drop = 1
    with pytest.raises(DeviceOffline):
        await camera.home()
    await wait_for_state(camera.link, LinkState.ONLINE)
    assert seen[:3] == [LinkState.OFFLINE, LinkState.CONNECTING, LinkState.ONLINE]
    await camera.home()
    await camera.stop()


async def test_sequence_error_resets_and_resends(sim: ViscaSimulator) -> None:
    camera = ViscaCamera.from_config(config(sim, "udp"), policy=FAST)
    await camera.start()
    sim.faults.sequence_error = 1
    await camera.save_preset(4)
    assert 4 in sim.camera.presets


async def test_a_second_controller_moves_the_sequence_and_we_resync(sim: ViscaSimulator) -> None:
    camera = ViscaCamera.from_config(config(sim, "udp"), policy=FAST)
    await camera.start()
    other = ViscaCamera.from_config(config(sim, "udp"), policy=FAST)
    await other.start()  # resets the camera's sequence, then counts past ours
    for _ in range(10):
        await other.save_preset(5)
    await camera.save_preset(6)  # our number is now lower: 0F 01, reset, resend
    assert {5, 6} <= set(sim.camera.presets)
    await other.stop()
    await camera.stop()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_reconnects_after_the_simulator_restarts(sim: ViscaSimulator, transport: str) -> None:
    camera = ViscaCamera.from_config(config(sim, transport), policy=FAST)
    await camera.start()
    await sim.stop()
    if transport == "udp":  # no connection to lose: the next packet bounces (ICMP)
        with pytest.raises((DeviceOffline, DeviceTimeout)):
            await camera.save_preset(1)
    await wait_for_state(camera.link, LinkState.OFFLINE)
    status = await camera.status()
    assert status.link in (LinkState.OFFLINE, LinkState.CONNECTING) and status.power is None
    await sim.start()
    await wait_for_state(camera.link, LinkState.ONLINE)
    await camera.home()
    await camera.stop()


async def test_serial_address_beyond_the_chain_fails_the_connect(sim: ViscaSimulator) -> None:
    camera = ViscaCamera.from_config(config(sim, "serial", address=2), policy=FAST)
    await camera.start()
    assert camera.link.state is LinkState.OFFLINE
    assert "Address Set found 1 camera" in camera.link.detail
    await camera.stop()


async def test_nothing_listening_is_offline(sim: ViscaSimulator) -> None:
    cfg = config(sim, "tcp")
    await sim.stop()
    camera = ViscaCamera.from_config(cfg, policy=FAST)
    await camera.start()
    assert camera.link.state is LinkState.OFFLINE
    with pytest.raises(DeviceOffline, match="cam is offline"):
        await camera.home()
    await camera.stop()


async def test_go_to_an_absolute_position(camera: ViscaCamera, sim: ViscaSimulator) -> None:
    assert camera.capabilities.absolute_position
    await camera.go_to(PanTiltZoom(-600, 150, 4000))
    state = sim.camera
    assert (state.pan.target, state.tilt.target, state.zoom.target) == (-600, 150, 4000)
    with pytest.raises(ValueError, match="zoom must be a whole number of the camera's steps"):
        await camera.go_to(PanTiltZoom(0, 0, 0x5000))
    assert (state.pan.target, state.tilt.target) == (-600, 150)  # refused before anything moved
