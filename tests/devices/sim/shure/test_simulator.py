"""The Shure simulator over real loopback TCP, spoken to with raw command strings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from devices.rooms_file.device_config import ShureMicrophoneConfig
from devices.shure.messages import Message, MessageDecoder, Report, ReportError, Sample
from devices.sim.shure.simulator import ShureSimulator


@pytest.fixture
async def sim() -> AsyncIterator[ShureSimulator]:
    simulator = ShureSimulator(channels=4)
    await simulator.start()
    yield simulator
    await simulator.stop()


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.decoder = MessageDecoder()
        self.inbox: list[Message] = []

    @classmethod
    async def connect(cls, port: int) -> Client:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def next(self, timeout: float = 2) -> Message:
        while not self.inbox:
            self.inbox += self.decoder.feed(await asyncio.wait_for(self.reader.read(4096), timeout))
        return self.inbox.pop(0)

    async def ask(self, line: bytes, count: int = 1) -> list[Message]:
        self.writer.write(line)
        return [await self.next() for _ in range(count)]


async def test_get_all_dumps_the_state(sim: ShureSimulator) -> None:
    client = await Client.connect(sim.port)
    reports = await client.ask(b"< GET 0 ALL >", 7 + 4 * 3)
    assert Report("DEVICE_AUDIO_MUTE", "OFF") in reports
    assert Report("AUDIO_GAIN_HI_RES", "1100", 4) in reports
    assert Report("AUDIO_MUTE", "OFF", 2) in reports
    device_id = next(r for r in reports if isinstance(r, Report) and r.command == "DEVICE_ID")
    assert isinstance(device_id, Report) and device_id.text == "classbridge-mic"
    client.writer.close()


async def test_sets_are_reported_to_every_client(sim: ShureSimulator) -> None:
    one, two = await Client.connect(sim.port), await Client.connect(sim.port)
    await asyncio.sleep(0.05)  # both accepted
    assert await one.ask(b"< SET DEVICE_AUDIO_MUTE ON >") == [Report("DEVICE_AUDIO_MUTE", "ON")]
    assert await two.next() == Report("DEVICE_AUDIO_MUTE", "ON")  # unsolicited for the other
    assert await one.ask(b"< SET 1 AUDIO_MUTE TOGGLE >") == [Report("AUDIO_MUTE", "ON", 1)]
    assert await one.ask(b"< SET 02 AUDIO_GAIN_HI_RES 1035 >") == [
        Report("AUDIO_GAIN_HI_RES", "1035", 2)
    ]
    assert await one.ask(b"< SET 02 AUDIO_GAIN_HI_RES INC 15 >") == [
        Report("AUDIO_GAIN_HI_RES", "1050", 2)
    ]
    assert (await one.ask(b"< SET 0 AUDIO_MUTE ON >", 4))[-1:] == [Report("AUDIO_MUTE", "ON", 4)]
    assert await one.ask(b"< GET 01 AUDIO_MUTE >") == [Report("AUDIO_MUTE", "ON", 1)]
    assert sim.state.device_mute and sim.state.channels[1].gain == 1050
    one.writer.close()
    two.writer.close()


@pytest.mark.parametrize(
    "line",
    [
        b"< SET 09 AUDIO_MUTE ON >",
        b"< SET 01 AUDIO_GAIN_HI_RES 1401 >",
        b"< SET DEVICE_AUDIO_MUTE MAYBE >",
        b"< SET METER_RATE 50 >",
        b"< GET NO_SUCH_THING >",
        b"< SET 01 AUDIO_GAIN_HI_RES UP 3 >",
        b"< REP PRESET 1 >",
    ],
)
async def test_refusals(sim: ShureSimulator, line: bytes) -> None:
    client = await Client.connect(sim.port)
    assert await client.ask(line) == [ReportError()]
    client.writer.close()


async def test_meter_frames(sim: ShureSimulator) -> None:
    client = await Client.connect(sim.port)
    sim.set_level(1, -10)
    sim.state.channels[2].mute = True
    assert await client.ask(b"< SET METER_RATE 100 >") == [Report("METER_RATE", "00100")]
    frames = [await client.next() for _ in range(3)]
    assert frames == [Sample((50, 40, 0, 40))] * 3
    await client.ask(b"< SET METER_RATE 0 >")
    with pytest.raises(asyncio.TimeoutError):
        while True:
            await client.next(timeout=0.3)  # drains any frame in flight, then silence
    client.writer.close()


async def test_fault_knobs(sim: ShureSimulator) -> None:
    client = await Client.connect(sim.port)
    get = b"< GET DEVICE_AUDIO_MUTE >"
    sim.faults.busy = True
    assert await client.ask(get) == [ReportError()]
    sim.faults.clear()
    sim.faults.garbage = True
    client.writer.write(get)
    assert await asyncio.wait_for(client.reader.read(64), 2) == b"garbage\x00\xff"
    sim.faults.clear()
    sim.faults.no_answer = True
    client.writer.write(b"< SET DEVICE_AUDIO_MUTE ON >")
    with pytest.raises(asyncio.TimeoutError):
        await client.next(timeout=0.2)
    assert not sim.state.device_mute  # a hung device does not act either
    sim.faults.clear()
    sim.faults.delay = 0.2
    started = asyncio.get_running_loop().time()
    assert await client.ask(get) == [Report("DEVICE_AUDIO_MUTE", "OFF")]
    assert asyncio.get_running_loop().time() - started >= 0.2
    sim.faults.clear()
    sim.faults.drop = True
    client.writer.write(get)
    assert await asyncio.wait_for(client.reader.read(), 2) == b""
    client.writer.close()


def test_from_config() -> None:
    cfg = ShureMicrophoneConfig(name="mic", protocol="shure", host="10.0.0.9", channels=2)
    sim = ShureSimulator.from_config(cfg)
    assert len(sim.state.channels) == 2 and sim.port == 0
