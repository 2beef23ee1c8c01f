"""`MdcDisplay`: the Display facade over Samsung MDC, on a serial line (RS-232C, or a
`socket://` RS-232-to-IP gateway) or TCP 1515.

One request at a time; a reply is the ACK/NAK from our display id echoing the command. A NAK
becomes MdcNak (a DeviceRefused) naming the display's error code.
"""

from __future__ import annotations

from devices.rooms_file.device_config import MdcDisplayConfig
from devices.drivers.base import DeviceKind, DeviceStatus, DisplayCapabilities
from devices.drivers.polling import PolledLink, Poller
from devices.errors import DeviceError, InvalidValue
from devices.mdc.errors import MdcProtocolError
from devices.mdc.messages import Command, Response, ResponseDecoder
from devices.mdc.values import (
    InputSource,
    ModelNumber,
    MuteState,
    PowerState,
    Status,
    parse_text,
    query,
    set_request,
)
from devices.transport import Connector, DeviceLink, LinkPolicy, FrameVerdict, connector_for
from devices.transport.exchange import Accept
from devices.transport.link import DEFAULT_POLICY

INPUTS = tuple(source.name.lower() for source in InputSource if source.settable)


class MdcDisplay(PolledLink):
    """A Samsung display (or LED wall controller) with MDC id `display_id`."""

    kind = DeviceKind.DISPLAY
    capabilities = DisplayCapabilities(power=True, inputs=INPUTS, volume=True, mute=True)

    def __init__(
        self,
        name: str,
        connector: Connector,
        display_id: int = 0,
        *,
        policy: LinkPolicy = DEFAULT_POLICY,
        poll_interval: float = 10.0,
    ) -> None:
        self.name = name
        self.display_id = display_id
        self.link: DeviceLink[Response] = DeviceLink(
            name, connector, ResponseDecoder, policy=policy
        )
        self._poller = Poller(name, poll_interval, self.status)

    @classmethod
    def from_config(cls, cfg: MdcDisplayConfig) -> MdcDisplay:
        return cls(
            cfg.name,
            connector_for(cfg.link),
            cfg.display_id,
            policy=LinkPolicy(timeout=cfg.timeout),
            poll_interval=cfg.poll_interval,
        )

    async def _send(self, command: Command, value: int | None = None) -> bytes:
        request = (
            query(command, self.display_id)
            if value is None
            else set_request(command, self.display_id, value)
        )
        reply = await self.link.request(request.serialize(), self._answer(command))
        return reply[-1].result()

    def _answer(self, command: Command) -> Accept[Response]:
        def accept(frame: Response) -> FrameVerdict:
            if frame.command != command or frame.display_id != self.display_id:
                return FrameVerdict.NOT_MINE  # a late reply to an earlier request, or another display
            frame.result()  # NAK → MdcNak
            return FrameVerdict.DONE

        return accept

    async def set_power(self, on: bool) -> None:
        await self._send(Command.POWER, PowerState.ON if on else PowerState.OFF)

    async def set_input(self, name: str) -> None:
        try:
            source = InputSource.from_name(name)
        except MdcProtocolError:
            raise InvalidValue(
                f"{self.name}: no input {name!r}; inputs: {', '.join(INPUTS)}"
            ) from None
        if not source.settable:
            raise InvalidValue(f"{self.name}: input {name!r} can be reported but not selected")
        await self._send(Command.INPUT_SOURCE, source)

    async def set_volume(self, level: int) -> None:
        if not 0 <= level <= 100:
            raise InvalidValue(f"{self.name}: volume is 0..100, not {level}")
        await self._send(Command.VOLUME, level)

    async def set_mute(self, muted: bool) -> None:
        await self._send(Command.MUTE, MuteState.ON if muted else MuteState.OFF)

    async def identity(self) -> dict[str, object]:
        """Serial number, software version and model code, for the technician console."""
        model = ModelNumber.parse(await self._send(Command.MODEL_NUMBER))
        return {
            "serial": parse_text(await self._send(Command.SERIAL_NUMBER)),
            "software": parse_text(await self._send(Command.SOFTWARE_VERSION)),
            "model_code": model.code,
            "model_species": model.species,
        }

    async def status(self) -> DeviceStatus:
        try:
            status = Status.parse(await self._send(Command.STATUS))
        except DeviceError as exc:
            return DeviceStatus(link=self.link.state, detail=str(exc), error=exc)
        values: dict[str, object] = {"input": status.input_name}
        if status.volume <= 100:
            values["volume"] = status.volume
        if status.mute is not MuteState.UNAVAILABLE:
            values["muted"] = status.mute is MuteState.ON
        return DeviceStatus(
            link=self.link.state,
            power=status.power is PowerState.ON,
            detail=self.link.detail,
            values=values,
        )
