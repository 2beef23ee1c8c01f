"""A simulated Shure networked microphone (MXA910-like) on loopback TCP.

One device state shared by all connections: device mute, per-channel mute, gain and name,
meter rate. As on the real device, a SET is answered with a REP sent to every connected
client (so other controllers see the change unsolicited), a GET only to the asker, and
`< SET METER_RATE ms >` starts `< SAMPLE … >` frames to every client. Fault knobs: see
devices/sim/faults.py (busy → `< REP ERR >`, the only refusal the protocol has).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.rooms_file.device_config import ShureMicrophoneConfig
from devices.sim.settings import simulated_port
from devices.errors import ProtocolError
from devices.shure.messages import (
    Get,
    Message,
    MessageDecoder,
    Parameter,
    Report,
    ReportError,
    Sample,
    Set,
)
from devices.shure.values import (
    GAIN_MAX_RAW,
    GAIN_MIN_RAW,
    GAIN_UNITY_RAW,
    METER_RATE_MIN_MS,
    level_raw,
    on_off_text,
)
from devices.sim.faults import Faults, Outcome
from devices.sim.endpoints import TcpListener

GARBAGE = b"garbage\x00\xff"


@dataclass
class ChannelState:
    mute: bool = False
    gain: int = GAIN_UNITY_RAW  # AUDIO_GAIN_HI_RES units
    name: str = ""
    level: int = 40  # meter, raw 0..60 (−20 dBFS)


@dataclass
class MicrophoneState:
    device_mute: bool = False
    channels: list[ChannelState] = field(default_factory=list)
    meter_rate: int = 0  # ms; 0 = off
    preset: int = 1
    device_id: str = "classbridge-mic"
    model: str = "MXA910 simulator"
    serial: str = "CBSHURE0001"
    firmware: str = "4.7.13"


def _toggle(current: bool, value: str) -> bool | None:
    return {"ON": True, "OFF": False, "TOGGLE": not current}.get(value)


class ShureSimulator:
    """A microphone over TCP; `faults` holds the knobs, `state` the device."""

    def __init__(
        self, *, channels: int = 8, port: int = 0, min_meter_rate: int = METER_RATE_MIN_MS
    ) -> None:
        self.state = MicrophoneState(
            channels=[ChannelState(name=f"Channel {i}") for i in range(1, channels + 1)]
        )
        self.faults = Faults()
        self.get_all = True  # False: answer `< GET 0 ALL >` with `< REP ERR >`, as some models do
        self.min_meter_rate = min_meter_rate
        self._listener = TcpListener(self._session, port)
        self._meter: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, cfg: ShureMicrophoneConfig) -> ShureSimulator:
        return cls(channels=cfg.channels, port=simulated_port(cfg))

    async def start(self) -> dict[str, str]:
        address = await self._listener.start()
        self._restart_meter()
        return {"tcp": address}

    async def stop(self) -> None:
        await self._stop_meter()
        await self._listener.stop()

    @property
    def port(self) -> int:
        return self._listener.port

    def set_level(self, channel: int, dbfs: float) -> None:
        """What the room "sounds like" on a channel, for meter frames."""
        self.state.channels[channel - 1].level = level_raw(dbfs)

    def sample(self) -> Sample:
        """One meter frame: muted channels (or a muted device) read as silence."""
        return Sample(
            tuple(
                0 if self.state.device_mute or ch.mute else ch.level for ch in self.state.channels
            )
        )

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        decoder = MessageDecoder()
        while data := await reader.read(1024):
            for message in decoder.drain(data):
                if isinstance(message, ProtocolError):
                    continue
                outcome = await self.faults.outcome()
                if outcome is Outcome.DROP:
                    return
                if outcome is Outcome.SILENT:
                    continue
                if self.faults.busy or self.faults.garbage:
                    writer.write(self.faults.shape(b"", ReportError().serialize(), GARBAGE))
                    continue
                private, public = self.handle(message)
                writer.write(self.faults.shape(b"".join(m.serialize() for m in private), b"", b""))
                self._listener.broadcast(self.faults.shape(b"".join(m.serialize() for m in public), b"", b""))

    def handle(self, message: Message) -> tuple[list[Report | ReportError], list[Report]]:
        """Apply one message; return (replies for the sender, reports for every client)."""
        if isinstance(message, Get):
            reports = self._reports(message.command, message.channel)
            return (reports, []) if reports else ([ReportError()], [])
        if isinstance(message, Set):
            changed = self._set(message)
            if changed is None:
                return [ReportError()], []
            if message.command == Parameter.METER_RATE:
                self._restart_meter()
            return [], changed
        return [ReportError()], []

    def _channels(self, channel: int | None) -> list[int] | None:
        """Channel numbers a command addresses: 0 = all; None if out of range."""
        count = len(self.state.channels)
        if channel == 0:
            return list(range(1, count + 1))
        if channel is not None and 1 <= channel <= count:
            return [channel]
        return None

    def _reports(self, command: str, channel: int | None) -> list[Report | ReportError]:
        state = self.state
        if command == Parameter.ALL:
            if not self.get_all:
                return []
            device = [self._device_report(name) for name in _DEVICE_REPORTS]
            per_channel = [
                self._channel_report(name, ch)
                for ch in range(1, len(state.channels) + 1)
                for name in _CHANNEL_REPORTS
            ]
            return [*device, *per_channel]
        if channel is None and command in _DEVICE_REPORTS:
            return [self._device_report(command)]
        numbers = self._channels(channel)
        if command in _CHANNEL_REPORTS and numbers is not None:
            return [self._channel_report(command, ch) for ch in numbers]
        return []

    def _device_report(self, command: str) -> Report:
        return Report(command, _DEVICE_REPORTS[command](self.state))

    def _channel_report(self, command: str, channel: int) -> Report:
        return Report(command, _CHANNEL_REPORTS[command](self.state.channels[channel - 1]), channel)

    def _set(self, message: Set) -> list[Report] | None:
        """Change the state; the reports describing the change, or None if refused."""
        state, value = self.state, message.value
        if message.channel is None:
            if message.command == Parameter.DEVICE_AUDIO_MUTE:
                mute = _toggle(state.device_mute, value)
                if mute is None:
                    return None
                state.device_mute = mute
            elif message.command == Parameter.METER_RATE:
                if not value.isdigit() or (int(value) != 0 and int(value) < self.min_meter_rate):
                    return None
                state.meter_rate = int(value)
            elif message.command == Parameter.PRESET:
                if not value.isdigit() or not 1 <= int(value) <= 10:
                    return None
                state.preset = int(value)
            else:
                return None
            return [self._device_report(message.command)]
        numbers = self._channels(message.channel)
        if numbers is None or message.command not in _CHANNEL_SETTERS:
            return None
        for number in numbers:
            if not _CHANNEL_SETTERS[message.command](state.channels[number - 1], value):
                return None
        return [self._channel_report(message.command, n) for n in numbers]

    def _restart_meter(self) -> None:
        if self._meter is not None:
            self._meter.cancel()
            self._meter = None
        if self.state.meter_rate:
            self._meter = asyncio.create_task(self._meter_loop(self.state.meter_rate / 1000))

    async def _stop_meter(self) -> None:
        if self._meter is not None:
            self._meter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._meter
            self._meter = None

    async def _meter_loop(self, period: float) -> None:
        while True:
            await asyncio.sleep(period)
            self._listener.broadcast(self.sample().serialize())


def _set_mute(channel: ChannelState, value: str) -> bool:
    mute = _toggle(channel.mute, value)
    if mute is None:
        return False
    channel.mute = mute
    return True


def _set_gain(channel: ChannelState, value: str) -> bool:
    """`nnnn`, `INC n` or `DEC n` (0.1 dB steps), clamped to the device's range."""
    parts = value.split(" ")
    if len(parts) == 1 and parts[0].isdigit():
        gain = int(parts[0])
    elif len(parts) == 2 and parts[0] in ("INC", "DEC") and parts[1].isdigit():
        step = int(parts[1])
        gain = channel.gain + (step if parts[0] == "INC" else -step)
        gain = max(GAIN_MIN_RAW, min(GAIN_MAX_RAW, gain))
    else:
        return False
    if not GAIN_MIN_RAW <= gain <= GAIN_MAX_RAW:
        return False
    channel.gain = gain
    return True


def _set_name(channel: ChannelState, value: str) -> bool:
    if not (value.startswith("{") and value.endswith("}")):
        return False
    channel.name = value[1:-1].strip()
    return True


_DEVICE_REPORTS: dict[str, Callable[[MicrophoneState], str]] = {
    Parameter.DEVICE_ID: lambda s: f"{{{s.device_id:<31}}}",
    Parameter.MODEL: lambda s: f"{{{s.model:<32}}}",
    Parameter.SERIAL_NUM: lambda s: f"{{{s.serial:<32}}}",
    Parameter.FW_VER: lambda s: f"{{{s.firmware:<18}}}",
    Parameter.PRESET: lambda s: f"{s.preset:02d}",
    Parameter.DEVICE_AUDIO_MUTE: lambda s: on_off_text(s.device_mute),
    Parameter.METER_RATE: lambda s: f"{s.meter_rate:05d}",
}

_CHANNEL_REPORTS: dict[str, Callable[[ChannelState], str]] = {
    Parameter.CHAN_NAME: lambda c: f"{{{c.name:<31}}}",
    Parameter.AUDIO_MUTE: lambda c: on_off_text(c.mute),
    Parameter.AUDIO_GAIN_HI_RES: lambda c: f"{c.gain:04d}",
}

_CHANNEL_SETTERS: dict[str, Callable[[ChannelState, str], bool]] = {
    Parameter.AUDIO_MUTE: _set_mute,
    Parameter.AUDIO_GAIN_HI_RES: _set_gain,
    Parameter.CHAN_NAME: _set_name,
}
