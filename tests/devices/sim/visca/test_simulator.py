"""ViscaSimulator endpoints, byte level, over a real pty, TCP and UDP on 127.0.0.1.

The driver-level behaviour (what a controller makes of each fault) is in test_driver.py;
here a bare client checks what the simulator puts on the wire.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import ViscaCameraConfig
from devices.transport.connectors import (
    ByteTransport,
    Connector,
    SerialConnector,
    TcpConnector,
    UdpConnector,
)
from devices.visca.ip import IpPacket, PayloadType
from devices.sim.visca.simulator import GARBAGE, ViscaSimulator
from tests.support.wait import until

h = bytes.fromhex


class Client:
    """Collects what the simulator sends back; one instance per connection."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.datagrams: list[bytes] = []
        self.lost = asyncio.Event()
        self.transport: ByteTransport | None = None

    def data_received(self, data: bytes) -> None:
        self.data += data
        self.datagrams.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost.set()

    def send(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    async def expect(self, wanted: bytes) -> None:
        await until(
            lambda: self.data.endswith(wanted),
            what=f"a reply ending {wanted.hex(' ')}",
            describe=lambda: f"received {bytes(self.data).hex(' ')}",
            interval=0.005,
        )

    async def datagram(self, index: int) -> bytes:
        await until(
            lambda: len(self.datagrams) > index,
            what=f"datagram {index}",
            describe=lambda: f"received {[d.hex(' ') for d in self.datagrams]}",
            interval=0.005,
        )
        return self.datagrams[index]


@pytest.fixture
async def sim() -> AsyncIterator[ViscaSimulator]:
    simulator = ViscaSimulator()
    await simulator.start()
    yield simulator
    await simulator.stop()


async def connect(sim: ViscaSimulator, kind: str) -> Client:
    client = Client()
    connectors: dict[str, Connector] = {
        "serial": SerialConnector(sim.serial_path),
        "tcp": TcpConnector("127.0.0.1", sim.tcp_port),
        "udp": UdpConnector("127.0.0.1", sim.udp_port),
    }
    client.transport = await connectors[kind].open(client)
    return client


async def test_endpoints_are_on_loopback_and_serial_is_a_pty_link(sim: ViscaSimulator) -> None:
    endpoints = sim.endpoints
    assert endpoints["tcp"] == f"127.0.0.1:{sim.tcp_port}" and sim.tcp_port > 0
    assert endpoints["udp"] == f"127.0.0.1:{sim.udp_port}" and sim.udp_port > 0
    assert os.readlink(endpoints["serial"]).startswith("/dev/pts/")


async def test_serial_start_up_and_a_command(sim: ViscaSimulator) -> None:
    client = await connect(sim, "serial")
    client.send(h("88 30 01 FF"))
    await client.expect(h("88 30 02 FF"))
    client.send(h("88 01 00 01 FF"))
    await client.expect(h("88 01 00 01 FF"))
    client.send(h("81 01 04 00 03 FF"))
    await client.expect(h("90 51 FF"))
    assert bytes(client.data).endswith(h("90 41 FF 90 51 FF"))
    assert sim.camera.power is False
    client.send(h("82 01 04 00 02 FF"))  # camera 2 is not there: silence
    client.send(h("81 09 04 00 FF"))
    await client.expect(h("90 50 03 FF"))


async def test_tcp_says_network_change_then_answers(sim: ViscaSimulator) -> None:
    client = await connect(sim, "tcp")
    await client.expect(h("90 38 FF"))
    client.send(h("81 09 06 12 FF"))
    await client.expect(h("90 50 00 00 00 00 00 00 00 00 FF"))


async def test_one_state_behind_all_endpoints(sim: ViscaSimulator) -> None:
    udp = await connect(sim, "udp")
    udp.send(IpPacket(PayloadType.COMMAND, 1, h("81 01 04 3F 01 05 FF")).serialize())
    await udp.datagram(1)
    tcp = await connect(sim, "tcp")
    assert sim.camera.snapshot()["presets"] == [5]
    tcp.send(h("81 01 04 3F 00 05 FF"))
    await tcp.expect(h("90 52 FF"))
    assert sim.camera.snapshot()["presets"] == []


async def test_udp_sequence_numbers_may_not_go_back_until_a_reset(sim: ViscaSimulator) -> None:
    client = await connect(sim, "udp")
    inquiry = h("81 09 04 00 FF")
    client.send(IpPacket(PayloadType.INQUIRY, 5, inquiry).serialize())
    answer = IpPacket.parse(await client.datagram(0))
    assert answer == IpPacket(PayloadType.REPLY, 5, h("90 50 02 FF"))
    client.send(IpPacket(PayloadType.INQUIRY, 5, inquiry).serialize())  # a resend is fine
    assert IpPacket.parse(await client.datagram(1)).seq == 5
    client.send(IpPacket(PayloadType.INQUIRY, 4, inquiry).serialize())
    assert await client.datagram(2) == h("02 01 00 02 00 00 00 04 0F 01")
    client.send(IpPacket.reset(0).serialize())
    assert await client.datagram(3) == h("02 01 00 01 00 00 00 00 01")
    client.send(IpPacket(PayloadType.COMMAND, 0, inquiry).serialize())  # type 0100 works too
    assert IpPacket.parse(await client.datagram(4)).payload == h("90 50 02 FF")


async def test_udp_reply_type_from_a_client_is_a_message_type_error(sim: ViscaSimulator) -> None:
    client = await connect(sim, "udp")
    client.send(IpPacket(PayloadType.REPLY, 1, h("90 41 FF")).serialize())
    assert await client.datagram(0) == h("02 01 00 02 00 00 00 01 0F 02")
    client.send(b"not a visca packet")  # ignored, and the next one is still served
    client.send(IpPacket(PayloadType.INQUIRY, 2, h("81 09 04 00 FF")).serialize())
    assert IpPacket.parse(await client.datagram(1)).seq == 2


async def test_fault_busy_not_executable_garbage(sim: ViscaSimulator) -> None:
    client = await connect(sim, "tcp")
    await client.expect(h("90 38 FF"))
    sim.faults.busy = 1
    client.send(h("81 01 06 04 FF"))
    await client.expect(h("90 60 03 FF"))
    sim.faults.not_executable = 1
    client.send(h("81 01 06 04 FF"))
    await client.expect(h("90 41 FF 90 61 41 FF"))
    sim.faults.garbage = 1
    client.send(h("81 09 04 00 FF"))
    await client.expect(GARBAGE + h("90 50 02 FF"))
    assert (sim.faults.busy, sim.faults.not_executable, sim.faults.garbage) == (0, 0, 0)


async def test_fault_no_answer_and_slow_answer(sim: ViscaSimulator) -> None:
    client = await connect(sim, "tcp")
    await client.expect(h("90 38 FF"))
    sim.faults.no_answer = True
    client.send(h("81 09 04 00 FF"))
    await asyncio.sleep(0.05)
    assert bytes(client.data) == h("90 38 FF")
    sim.faults.no_answer = False
    sim.faults.slow_answer = 0.1
    started = asyncio.get_running_loop().time()
    client.send(h("81 09 04 00 FF"))
    await client.expect(h("90 50 02 FF"))
    assert asyncio.get_running_loop().time() - started >= 0.09


async def test_fault_drop_on_tcp_and_on_the_pty(sim: ViscaSimulator) -> None:
    tcp = await connect(sim, "tcp")
    sim.faults.drop = 1
    tcp.send(h("81 09 04 00 FF"))
    await asyncio.wait_for(tcp.lost.wait(), 2)
    serial = await connect(sim, "serial")
    sim.faults.drop = 1
    serial.send(h("81 09 04 00 FF"))
    await asyncio.wait_for(serial.lost.wait(), 2)
    assert os.path.islink(sim.serial_path)  # re-pointed to a fresh pty (its number may repeat)
    again = await connect(sim, "serial")  # the same path reaches a fresh pty
    again.send(h("81 09 04 00 FF"))
    await again.expect(h("90 50 02 FF"))


async def test_fault_drop_on_udp_loses_the_packet(sim: ViscaSimulator) -> None:
    client = await connect(sim, "udp")
    sim.faults.drop = 1
    client.send(IpPacket(PayloadType.INQUIRY, 1, h("81 09 04 00 FF")).serialize())
    client.send(IpPacket(PayloadType.INQUIRY, 2, h("81 09 04 00 FF")).serialize())
    assert IpPacket.parse(await client.datagram(0)).seq == 2


async def test_fault_sequence_error(sim: ViscaSimulator) -> None:
    client = await connect(sim, "udp")
    sim.faults.sequence_error = 1
    client.send(IpPacket(PayloadType.INQUIRY, 1, h("81 09 04 00 FF")).serialize())
    assert IpPacket.parse(await client.datagram(0)).control_error_code == 0x01


async def test_restart_keeps_ports_and_serial_path() -> None:
    sim = ViscaSimulator()
    first = await sim.start()
    await sim.stop()
    assert not os.path.exists(first["serial"])
    assert await sim.start() == first
    client = await connect(sim, "serial")
    client.send(h("81 09 04 00 FF"))
    await client.expect(h("90 50 02 FF"))
    await sim.stop()


def test_from_config_takes_address_and_presets() -> None:
    cfg = ViscaCameraConfig.model_validate(
        {
            "name": "cam",
            "protocol": "visca",
            "link": {"transport": "tcp", "host": "x", "port": 1},
            "address": 3,
            "presets": 4,
        }
    )
    sim = ViscaSimulator.from_config(cfg)
    assert (sim.camera.address, sim.camera.preset_slots) == (3, 4)
