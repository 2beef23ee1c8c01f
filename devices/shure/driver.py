"""`ShureMicrophone`: the Microphone facade over Shure command strings (TCP 2202).

On each connection the driver asks `< GET 0 ALL >` and keeps what the device reports in a
local picture (device and channel mutes, gains, names); any REP, asked for or not (another
controller, the device's own mute button), updates it. With a meter rate set, `< SAMPLE … >`
frames keep the latest levels. A set waits for the REP that confirms the new value, so a
stale REP from the start-up dump cannot be mistaken for the confirmation.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.rooms_file.device_config import ShureMicrophoneConfig
from devices.drivers.base import DeviceKind, DeviceStatus, MicrophoneCapabilities
from devices.drivers.polling import PolledLink, Poller
from devices.errors import DeviceError, InvalidValue
from devices.shure.errors import ShureCommandError, ShureProtocolError
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
    GAIN_RANGE_DB,
    gain_db,
    gain_raw,
    level_dbfs,
    meter_rate,
    on_off,
    on_off_text,
)
from devices.transport import DeviceLink, LinkPolicy, FrameVerdict, TcpConnector
from devices.transport.exchange import Accept, Requester
from devices.transport.link import DEFAULT_POLICY


@dataclass
class _Picture:
    """What the device last reported."""

    device_mute: bool | None = None
    mutes: dict[int, bool] = field(default_factory=dict)
    gains: dict[int, float] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    info: dict[str, str] = field(default_factory=dict)  # DEVICE_ID, MODEL, SERIAL_NUM, FW_VER
    levels: dict[int, float] = field(default_factory=dict)
    other: dict[str, str] = field(default_factory=dict)  # unknown REPs, raw, for the console


log = logging.getLogger(__name__)

_INFO = (Parameter.DEVICE_ID, Parameter.MODEL, Parameter.SERIAL_NUM, Parameter.FW_VER)


class ShureMicrophone(PolledLink):
    """A Shure networked microphone or DSP with `channels` inputs."""

    kind = DeviceKind.MICROPHONE

    def __init__(
        self,
        name: str,
        host: str,
        port: int = 2202,
        *,
        channels: int = 8,
        meter_rate_ms: int = 1000,
        policy: LinkPolicy = DEFAULT_POLICY,
        poll_interval: float = 60.0,
    ) -> None:
        self.name = name
        self.channels = channels
        meter_rate(meter_rate_ms)  # refuses 1..99 ms here, not at every connect
        self.meter_rate_ms = meter_rate_ms
        self.capabilities = MicrophoneCapabilities(
            mute=True,
            gain=True,
            gain_range_db=GAIN_RANGE_DB,
            levels=meter_rate_ms > 0,
            channels=channels,
        )
        self.picture = _Picture()
        self.link: DeviceLink[Message] = DeviceLink(
            name,
            TcpConnector(host, port),
            MessageDecoder,
            policy=policy,
            on_connect=self._on_connect,
            on_unsolicited=self._absorb,
        )
        self._poller = Poller(name, poll_interval, self.status)

    @classmethod
    def from_config(cls, cfg: ShureMicrophoneConfig) -> ShureMicrophone:
        return cls(
            cfg.name,
            cfg.host,
            cfg.port,
            channels=cfg.channels,
            policy=LinkPolicy(timeout=cfg.timeout),
            poll_interval=cfg.poll_interval,
        )

    async def _on_connect(self, requester: Requester[Message]) -> None:
        """Ask for the whole state (its REPs stream in after the first) and start the meters.

        A model that answers `< GET 0 ALL >` with `< REP ERR >` is asked parameter by
        parameter instead (what classbridge shows), so it still comes online."""
        self.picture.levels.clear()
        try:
            await requester.request(Get(Parameter.ALL, 0).serialize(), self._first_report)
        except ShureCommandError:
            log.info("%s: GET 0 ALL refused; asking parameter by parameter", self.name)
            await self._ask_each(requester)
        if self.meter_rate_ms:
            await requester.request(
                Set(Parameter.METER_RATE, meter_rate(self.meter_rate_ms)).serialize(),
                self._confirm(Parameter.METER_RATE, None, lambda v: int(v) == self.meter_rate_ms),
            )

    async def _ask_each(self, requester: Requester[Message]) -> None:
        """The start-up picture without GET ALL: the device mute, each channel's mute and
        gain (required), then names and identity where the model knows them."""
        await self._get(requester, Parameter.DEVICE_AUDIO_MUTE, None)
        for channel in range(1, self.channels + 1):
            await self._get(requester, Parameter.AUDIO_MUTE, channel)
            await self._get(requester, Parameter.AUDIO_GAIN_HI_RES, channel)
        optional: list[tuple[str, int | None]] = [(p, None) for p in _INFO]
        optional += [(Parameter.CHAN_NAME, c) for c in range(1, self.channels + 1)]
        for command, where in optional:
            with contextlib.suppress(ShureCommandError):
                await self._get(requester, command, where)

    async def _get(self, requester: Requester[Message], command: str, channel: int | None) -> None:
        await requester.request(
            Get(command, channel).serialize(), self._confirm(command, channel, lambda v: True)
        )

    # frames from the device ---------------------------------------------------------------

    def _absorb(self, message: Message) -> None:
        """Fold a REP or SAMPLE into the picture (called for every frame, asked for or not)."""
        try:
            if isinstance(message, Sample):
                self.picture.levels = {
                    i: level_dbfs(raw) for i, raw in enumerate(message.levels, start=1)
                }
            elif isinstance(message, Report):
                self._absorb_report(message)
        except ShureProtocolError:
            self.picture.other[message.command if isinstance(message, Report) else "?"] = str(
                message
            )

    def _absorb_report(self, report: Report) -> None:
        command, channel, picture = report.command, report.channel, self.picture
        if command == Parameter.DEVICE_AUDIO_MUTE:
            picture.device_mute = on_off(report.value)
        elif command == Parameter.AUDIO_MUTE and channel:
            picture.mutes[channel] = on_off(report.value)
        elif command == Parameter.AUDIO_GAIN_HI_RES and channel:
            picture.gains[channel] = gain_db(report.value)
        elif command == Parameter.CHAN_NAME and channel:
            picture.names[channel] = report.text
        elif command in _INFO:
            picture.info[command.lower()] = report.text
        else:
            picture.other[f"{channel:02d} {command}" if channel else command] = report.value

    def _first_report(self, message: Message) -> FrameVerdict:
        if isinstance(message, ReportError):
            raise message.error()
        if isinstance(message, Report):
            self._absorb(message)
            return FrameVerdict.DONE
        return FrameVerdict.NOT_MINE

    def _confirm(
        self, command: str, channel: int | None, matches: Callable[[str], bool]
    ) -> Accept[Message]:
        """Accept the REP of `command` on `channel` whose value satisfies `matches`."""

        def accept(message: Message) -> FrameVerdict:
            if isinstance(message, ReportError):
                raise message.error()
            if (
                isinstance(message, Report)
                and message.command == command
                and message.channel == channel
            ):
                self._absorb(message)
                try:
                    ok = matches(message.value)
                except (ShureProtocolError, ValueError):
                    ok = False
                return FrameVerdict.DONE if ok else FrameVerdict.NOT_MINE
            return FrameVerdict.NOT_MINE

        return accept

    # the facade ---------------------------------------------------------------------------

    def _check_channel(self, channel: int) -> None:
        if not 1 <= channel <= self.channels:
            raise InvalidValue(f"{self.name}: channels are 1..{self.channels}, not {channel}")

    async def set_mute(self, muted: bool, channel: int | None = None) -> None:
        value = on_off_text(muted)
        if channel is None:
            command = Parameter.DEVICE_AUDIO_MUTE
        else:
            self._check_channel(channel)
            command = Parameter.AUDIO_MUTE
        await self.link.request(
            Set(command, value, channel).serialize(),
            self._confirm(command, channel, lambda v: v == value),
        )

    async def set_gain(self, gain_db_value: float, channel: int = 1) -> None:
        self._check_channel(channel)
        try:
            raw = gain_raw(gain_db_value)
        except ShureProtocolError as exc:
            raise InvalidValue(f"{self.name}: {exc}") from None
        await self.link.request(
            Set(Parameter.AUDIO_GAIN_HI_RES, raw, channel).serialize(),
            self._confirm(Parameter.AUDIO_GAIN_HI_RES, channel, lambda v: v == raw),
        )

    async def levels(self) -> dict[int, float]:
        """The latest meter frame, dBFS per channel; empty until the first frame arrives."""
        return dict(self.picture.levels)

    async def status(self) -> DeviceStatus:
        """Polls the device mute (a cheap GET) and reports the whole picture."""
        try:
            await self.link.request(
                Get(Parameter.DEVICE_AUDIO_MUTE).serialize(),
                self._confirm(Parameter.DEVICE_AUDIO_MUTE, None, lambda v: True),
            )
        except DeviceError as exc:
            return DeviceStatus(link=self.link.state, detail=str(exc), error=exc)
        picture = self.picture
        values: dict[str, object] = {
            "muted": picture.device_mute,
            "channel_muted": dict(picture.mutes),
            "gain_db": dict(picture.gains),
            "channel_names": dict(picture.names),
            "levels_dbfs": dict(picture.levels),
            **picture.info,
        }
        return DeviceStatus(
            link=self.link.state, power=None, detail=self.link.detail, values=values
        )
