"""The PJLink simulator over real loopback TCP, spoken to with raw lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import PJLinkProjectorConfig
from devices.pjlink.auth import digest
from devices.sim.pjlink.simulator import PJLinkSimulator
from tests.support.clock import ManualClock


@pytest.fixture
async def clock() -> ManualClock:
    return ManualClock(100.0)


@pytest.fixture
async def sim(clock: ManualClock) -> AsyncIterator[PJLinkSimulator]:
    simulator = PJLinkSimulator(warm_up=5, cool_down=5, idle_timeout=0.5, clock=clock)
    endpoints = await simulator.start()
    assert endpoints == {"tcp": f"127.0.0.1:{simulator.port}"}
    yield simulator
    await simulator.stop()


async def open_session(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    greeting = await asyncio.wait_for(reader.readuntil(b"\r"), 2)
    return reader, writer, greeting


async def ask(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, line: bytes) -> bytes:
    writer.write(line)
    return await asyncio.wait_for(reader.readuntil(b"\r"), 2)


async def test_power_cycle_with_warm_up_and_cool_down(sim: PJLinkSimulator, clock: ManualClock) -> None:
    reader, writer, greeting = await open_session(sim.port)
    assert greeting == b"PJLINK 0\r"
    assert await ask(reader, writer, b"%1POWR ?\r") == b"%1POWR=0\r"
    assert await ask(reader, writer, b"%1INPT 31\r") == b"%1INPT=ERR3\r"  # lamp off
    assert await ask(reader, writer, b"%1POWR 1\r") == b"%1POWR=OK\r"
    assert await ask(reader, writer, b"%1POWR ?\r") == b"%1POWR=3\r"
    assert await ask(reader, writer, b"%1POWR 0\r") == b"%1POWR=ERR3\r"  # refused while warming
    clock.now += 5
    assert await ask(reader, writer, b"%1POWR ?\r") == b"%1POWR=1\r"
    assert await ask(reader, writer, b"%1INPT 32\r") == b"%1INPT=OK\r"
    assert await ask(reader, writer, b"%1INPT ?\r") == b"%1INPT=32\r"
    assert await ask(reader, writer, b"%1INPT 59\r") == b"%1INPT=ERR2\r"
    assert await ask(reader, writer, b"%1AVMT 21\r") == b"%1AVMT=OK\r"
    assert await ask(reader, writer, b"%1AVMT ?\r") == b"%1AVMT=21\r"
    assert await ask(reader, writer, b"%1AVMT 11\r") == b"%1AVMT=OK\r"
    assert await ask(reader, writer, b"%1AVMT ?\r") == b"%1AVMT=31\r"
    assert await ask(reader, writer, b"%1AVMT 30\r") == b"%1AVMT=OK\r"
    assert await ask(reader, writer, b"%1POWR 0\r") == b"%1POWR=OK\r"
    assert await ask(reader, writer, b"%1POWR ?\r") == b"%1POWR=2\r"
    clock.now += 5
    assert await ask(reader, writer, b"%1POWR ?\r") == b"%1POWR=0\r"
    writer.close()


async def test_information_queries(sim: PJLinkSimulator) -> None:
    reader, writer, _ = await open_session(sim.port)
    assert await ask(reader, writer, b"%1INST ?\r") == b"%1INST=11 21 31 32 51\r"
    assert await ask(reader, writer, b"%1LAMP ?\r") == b"%1LAMP=1234 0\r"
    assert await ask(reader, writer, b"%1ERST ?\r") == b"%1ERST=000000\r"
    assert await ask(reader, writer, b"%1NAME ?\r") == b"%1NAME=classbridge projector\r"
    assert await ask(reader, writer, b"%1INF1 ?\r") == b"%1INF1=classbridge\r"
    assert await ask(reader, writer, b"%1INF2 ?\r") == b"%1INF2=PJLink simulator\r"
    assert (await ask(reader, writer, b"%1INFO ?\r")).startswith(b"%1INFO=")
    assert await ask(reader, writer, b"%1CLSS ?\r") == b"%1CLSS=1\r"
    assert await ask(reader, writer, b"%1NAME x\r") == b"%1NAME=ERR2\r"
    assert await ask(reader, writer, b"%1FREZ ?\r") == b"%1FREZ=ERR1\r"
    assert await ask(reader, writer, b"%2SVOL ?\r") == b"%2SVOL=ERR1\r"
    assert await ask(reader, writer, b"%1POWR 7\r") == b"%1POWR=ERR2\r"
    # a line it cannot read is ignored; the next one is answered
    assert await ask(reader, writer, b"hello\r%1CLSS ?\r") == b"%1CLSS=1\r"
    writer.close()


async def test_authentication() -> None:
    sim = PJLinkSimulator(password="secret")
    await sim.start()
    try:
        reader, writer, greeting = await open_session(sim.port)
        assert greeting.startswith(b"PJLINK 1 ")
        salt = greeting[9:-1].decode()
        line = digest(salt, "secret").encode() + b"%1POWR ?\r"
        assert await ask(reader, writer, line) == b"%1POWR=0\r"
        assert (
            await ask(reader, writer, b"%1CLSS ?\r") == b"%1CLSS=1\r"
        )  # no digest after the first
        writer.close()

        reader, writer, greeting = await open_session(sim.port)
        salt = greeting[9:-1].decode()
        assert (
            await ask(reader, writer, digest(salt, "wrong").encode() + b"%1POWR ?\r")
            == b"PJLINK ERRA\r"
        )
        assert await asyncio.wait_for(reader.read(), 2) == b""  # and it hangs up
        writer.close()
        reader, writer, _ = await open_session(sim.port)
        assert await ask(reader, writer, b"%1POWR ?\r") == b"PJLINK ERRA\r"
        writer.close()
    finally:
        await sim.stop()


async def test_idle_session_is_closed(sim: PJLinkSimulator) -> None:
    reader, writer, _ = await open_session(sim.port)
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()


async def test_fault_knobs(sim: PJLinkSimulator) -> None:
    reader, writer, _ = await open_session(sim.port)
    sim.faults.busy = True
    assert await ask(reader, writer, b"%1CLSS ?\r") == b"%1CLSS=ERR3\r"
    sim.faults.clear()
    sim.faults.garbage = True
    assert await ask(reader, writer, b"%1CLSS ?\r") == b"\x00#garbage\xfe\r"
    sim.faults.clear()
    sim.faults.no_answer = True
    writer.write(b"%1CLSS ?\r")
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(reader.readuntil(b"\r"), 0.2)
    sim.faults.clear()
    sim.faults.delay = 0.2
    started = asyncio.get_running_loop().time()
    assert await ask(reader, writer, b"%1CLSS ?\r") == b"%1CLSS=1\r"
    assert asyncio.get_running_loop().time() - started >= 0.2
    sim.faults.clear()
    sim.faults.drop = True
    writer.write(b"%1CLSS ?\r")
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()


async def test_restart_keeps_the_port(sim: PJLinkSimulator) -> None:
    port = sim.port
    reader, writer, _ = await open_session(port)
    await sim.stop()
    assert await asyncio.wait_for(reader.read(), 2) == b""
    writer.close()
    await sim.start()
    assert sim.port == port
    reader, writer, greeting = await open_session(port)
    assert greeting == b"PJLINK 0\r"
    writer.close()


def test_from_config(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = PJLinkProjectorConfig(name="projector", protocol="pjlink", host="10.0.0.5", password="pw")
    sim = PJLinkSimulator.from_config(cfg)
    assert (sim.port, sim.password) == (0, "pw")
    monkeypatch.setenv("PJ_PW", "from-env")
    cfg = PJLinkProjectorConfig(
        name="projector", protocol="pjlink", host="x", port=14352, password_env="PJ_PW"
    )
    sim = PJLinkSimulator.from_config(cfg)
    assert (sim.port, sim.password) == (14352, "from-env")
