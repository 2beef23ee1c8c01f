"""The MDC simulator over real loopback TCP and a real pseudo-terminal (opened with pyserial)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import serial
from samsung_mdc.connection import pack_response

from devices.rooms_file.device_config import MdcDisplayConfig
from devices.mdc.messages import Command, Request, Response, ResponseDecoder
from devices.sim.mdc.simulator import MdcSimulator
from devices.mdc.values import InputSource, PowerState, Status


@pytest.fixture
async def sim() -> AsyncIterator[MdcSimulator]:
    simulator = MdcSimulator(display_id=1)
    yield simulator
    await simulator.stop()


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: Request
) -> Response:
    writer.write(request.serialize())
    decoder = ResponseDecoder()
    while True:
        frames = decoder.feed(await asyncio.wait_for(reader.read(256), 2))
        if frames:
            return frames[0]


async def test_tcp_conversation(sim: MdcSimulator) -> None:
    endpoints = await sim.start()
    assert endpoints["tcp"] == f"127.0.0.1:{sim.port}" and endpoints["serial"].startswith("/dev/")
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    # the manual's volume example, addressed to display 1: reply bytes as python-samsung-mdc packs them
    writer.write(Request(Command.VOLUME, 1, b"\x18").serialize())
    assert await asyncio.wait_for(reader.readexactly(8), 2) == pack_response(0x12, 1, True, b"\x18")
    assert (await exchange(reader, writer, Request(Command.POWER, 1, b"\x01"))).data == b"\x01"
    assert (
        await exchange(reader, writer, Request(Command.INPUT_SOURCE, 1, b"\x23"))
    ).data == b"\x23"
    status = Status.parse((await exchange(reader, writer, Request(Command.STATUS, 1))).result())
    assert (status.power, status.volume, status.input) == (PowerState.ON, 0x18, InputSource.HDMI2)
    assert (
        await exchange(reader, writer, Request(Command.SERIAL_NUMBER, 1))
    ).data == b"CBSIM0000001"
    nak = await exchange(reader, writer, Request(Command.VOLUME, 1, b"\x65"))  # 101
    assert not nak.ack and sim.state.volume == 0x18
    assert not (await exchange(reader, writer, Request(0x77, 1))).ack
    writer.close()


async def test_other_ids_and_broadcast_get_no_reply(sim: MdcSimulator) -> None:
    await sim.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    writer.write(Request(Command.POWER, 2, b"\x01").serialize())  # someone else's id
    writer.write(Request(Command.MUTE, 254, b"\x01").serialize())  # broadcast: obeyed, silent
    writer.write(b"\x01\x02junk")
    reply = await exchange(reader, writer, Request(Command.POWER, 1))
    assert reply.data == b"\x00"  # the first frame back answers the last request
    assert sim.state.mute == 1
    writer.close()


async def test_pty_with_pyserial(sim: MdcSimulator) -> None:
    endpoints = await sim.start()

    def talk() -> bytes:
        with serial.Serial(endpoints["serial"], 9600, timeout=2) as port:
            port.write(bytes.fromhex("AA 12 01 01 18 2C"))
            return port.read(8)

    assert await asyncio.to_thread(talk) == pack_response(0x12, 1, True, b"\x18")


async def test_fault_knobs_over_tcp(sim: MdcSimulator) -> None:
    await sim.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", sim.port)
    query = Request(Command.POWER, 1)
    sim.faults.busy = True
    assert not (await exchange(reader, writer, query)).ack
    sim.faults.clear()
    sim.faults.garbage = True
    writer.write(query.serialize())
    assert await asyncio.wait_for(reader.read(64), 2) == b"\x13\x37garbage"
    sim.faults.clear()
    sim.faults.no_answer = True
    writer.write(query.serialize())
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(reader.read(64), 0.2)
    sim.faults.clear()
    sim.faults.delay = 0.2
    started = asyncio.get_running_loop().time()
    assert (await exchange(reader, writer, query)).ack
    assert asyncio.get_running_loop().time() - started >= 0.2
    sim.faults.clear()
    sim.faults.drop = True
    writer.write(query.serialize())
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()


async def test_restart_keeps_the_tcp_port(sim: MdcSimulator) -> None:
    await sim.start()
    port = sim.port
    await sim.stop()
    await sim.start()
    assert sim.port == port


def test_from_config() -> None:
    cfg = MdcDisplayConfig.model_validate(
        {
            "name": "wall",
            "protocol": "mdc",
            "display_id": 3,
            "link": {"transport": "serial", "port": "/dev/ttyUSB0"},
        }
    )
    sim = MdcSimulator.from_config(cfg)
    assert sim.display_id == 3 and sim.port == 0
    cfg = MdcDisplayConfig.model_validate(
        {
            "name": "wall",
            "protocol": "mdc",
            "link": {"transport": "tcp", "host": "10.1.1.1", "port": 1515},
        }
    )
    assert MdcSimulator.from_config(cfg).port == 1515
