"""`PJLinkProjector`: the Display facade over PJLink class 1 (TCP 4352).

Each TCP session starts with the projector's greeting; when it asks for a password the driver
authenticates at once with a harmless `%1CLSS ?` carrying the digest, so that every later
command (and every busy resend) goes out without one, and a wrong password shows up as an
AuthError at connect time. Polling every `poll_interval` (< 30 s) keeps the session from
being closed as idle. Commands refused with ERR3 are explained from the power state (warming
up, cooling down, or off).
"""

from __future__ import annotations

from dataclasses import replace

from devices.rooms_file.device_config import PJLinkProjectorConfig, password_of
from devices.drivers.base import DeviceKind, DeviceStatus, DisplayCapabilities
from devices.drivers.polling import PolledLink, Poller
from devices.errors import DeviceError, DeviceOffline, DeviceRefused, InvalidValue, Unsupported
from devices.pjlink.errors import PJLinkAuthError, PJLinkProtocolError, UnavailableTime
from devices.pjlink.messages import (
    AuthFailure,
    Command,
    Greeting,
    ProjectorLine,
    Request,
    Response,
    ResponseDecoder,
)
from devices.pjlink.session import ClientSession, SessionState
from devices.pjlink.values import (
    AvMute,
    ErrorStatus,
    Input,
    MuteTarget,
    PowerState,
    mute_parameter,
    parse_inputs,
    parse_lamps,
    parse_power,
)
from devices.transport import DeviceLink, LinkPolicy, FrameVerdict, TcpConnector
from devices.transport.exchange import Accept, Requester
from devices.transport.link import DEFAULT_POLICY

# Lamp projectors take 30–60 s to warm up, laser ones a few seconds; PJLink does not say.
TYPICAL_WARM_UP = 30.0

_REFUSED_BECAUSE = {
    PowerState.WARMING: "the projector is warming up",
    PowerState.COOLING: "the projector is cooling down",
    PowerState.OFF: "the projector is off",
}


class PJLinkProjector(PolledLink):
    """A projector speaking PJLink class 1."""

    kind = DeviceKind.DISPLAY

    def __init__(
        self,
        name: str,
        host: str,
        port: int = 4352,
        *,
        password: str | None = None,
        policy: LinkPolicy = DEFAULT_POLICY,
        poll_interval: float = 10.0,
    ) -> None:
        self.name = name
        self.password = password
        self.capabilities = DisplayCapabilities(
            power=True, inputs=(), volume=False, mute=True, warm_up_seconds=TYPICAL_WARM_UP
        )
        self._session = ClientSession(password)
        self._auth_error: PJLinkAuthError | None = None
        self.link: DeviceLink[ProjectorLine] = DeviceLink(
            name, TcpConnector(host, port), ResponseDecoder, policy=policy, on_connect=self._greet
        )
        self._poller = Poller(name, poll_interval, self.status)

    @classmethod
    def from_config(cls, cfg: PJLinkProjectorConfig) -> PJLinkProjector:
        return cls(
            cfg.name,
            cfg.host,
            cfg.port,
            password=password_of(cfg),
            policy=LinkPolicy(timeout=cfg.timeout),
            poll_interval=cfg.poll_interval,
        )

    # the start-up exchange, run on every new connection ---------------------------------------

    async def _greet(self, requester: Requester[ProjectorLine]) -> None:
        session = ClientSession(self.password)
        greeting = await requester.expect(_greeting)
        try:
            session.receive(greeting[0])
            if isinstance(greeting[0], Greeting) and greeting[0].auth_required:
                reply = await requester.request(
                    session.encode(Request(Command.CLSS)), _answer(Command.CLSS)
                )
                session.receive(reply[0])
        except PJLinkAuthError as exc:
            self._auth_error = exc
            raise
        self._auth_error = None
        self._session = session
        inputs = await self._inputs(requester)
        self.capabilities = replace(self.capabilities, inputs=inputs)

    async def _inputs(self, requester: Requester[ProjectorLine]) -> tuple[str, ...]:
        """INST; a projector that cannot list its inputs still connects, with none listed."""
        try:
            reply = await requester.request(
                self._session.encode(Request(Command.INST)), _answer(Command.INST)
            )
            return tuple(i.name for i in parse_inputs(_value(reply)))
        except (Unsupported, DeviceRefused, PJLinkProtocolError):
            return ()

    # commands ---------------------------------------------------------------------------------

    async def _ask(self, command: Command, parameter: str = "?") -> str:
        """Send one command on the current session and return its value (or raise its error)."""
        if not self.link.state.connected and self._auth_error is not None:
            raise PJLinkAuthError(str(self._auth_error), command)
        if self._session.state is not SessionState.READY:
            why = f" ({self.link.detail})" if self.link.detail else ""
            raise DeviceOffline(f"{self.name} is {self.link.state.value}{why}")
        data = self._session.encode(Request(command, parameter))
        return _value(await self.link.request(data, _answer(command)))

    async def _act(self, command: Command, parameter: str) -> None:
        """A set command; an ERR3 refusal is explained from the power state."""
        try:
            await self._ask(command, parameter)
        except UnavailableTime as exc:
            power = parse_power(await self._ask(Command.POWR))
            reason = _REFUSED_BECAUSE.get(power)
            if reason is None:
                raise
            raise UnavailableTime(f"{reason}; {command} refused (ERR3)", command) from exc

    async def set_power(self, on: bool) -> None:
        await self._act(Command.POWR, PowerState.ON if on else PowerState.OFF)

    async def set_input(self, name: str) -> None:
        try:
            wanted = Input.from_name(name)
        except PJLinkProtocolError:
            raise InvalidValue(
                f"{self.name}: no input {name!r}; inputs: {', '.join(self.capabilities.inputs)}"
            ) from None
        await self._act(Command.INPT, wanted.serialize())

    async def set_volume(self, level: int) -> None:
        raise Unsupported(f"{self.name}: PJLink class 1 has no volume control")

    async def set_mute(self, muted: bool) -> None:
        """Mute the projector's sound (AVMT 21/20); the picture stays."""
        await self._act(Command.AVMT, mute_parameter(MuteTarget.AUDIO, muted))

    async def set_video_mute(self, muted: bool) -> None:
        """Blank the picture (AVMT 11/10), e.g. while the lecturer switches laptops."""
        await self._act(Command.AVMT, mute_parameter(MuteTarget.VIDEO, muted))

    async def status(self) -> DeviceStatus:
        """Power (with warming/cooling), and when on: input and mute; error status and lamps."""
        try:
            power = parse_power(await self._ask(Command.POWR))
            values: dict[str, object] = {"power_state": power.name.lower()}
            if power is PowerState.ON:
                values["input"] = Input.parse(await self._ask(Command.INPT)).name
                mute = AvMute.parse(await self._ask(Command.AVMT))
                values["muted"], values["video_muted"] = mute.audio, mute.video
            values["errors"] = {
                k: v.name.lower()
                for k, v in ErrorStatus.parse(await self._ask(Command.ERST)).problems().items()
            }
            try:
                values["lamp_hours"] = [
                    lamp.hours for lamp in parse_lamps(await self._ask(Command.LAMP))
                ]
            except Unsupported:
                pass  # laser projectors have no lamp (ERR1)
        except DeviceError as exc:
            return DeviceStatus(link=self.link.state, detail=str(exc), error=exc)
        return DeviceStatus(
            link=self.link.state,
            power=power is PowerState.ON,
            detail=self.link.detail,
            values=values,
        )


def _greeting(line: ProjectorLine) -> FrameVerdict:
    if isinstance(line, (Greeting, AuthFailure)):
        return FrameVerdict.DONE
    return FrameVerdict.NOT_MINE


def _answer(command: Command) -> Accept[ProjectorLine]:
    """Take the response to `command`; ERRA ends the session with an AuthError."""

    def accept(line: ProjectorLine) -> FrameVerdict:
        if isinstance(line, AuthFailure):
            raise line.error()
        if isinstance(line, Response) and line.command == command:
            line.result()  # raises the error type of ERR1..ERR4
            return FrameVerdict.DONE
        return FrameVerdict.NOT_MINE

    return accept


def _value(reply: list[ProjectorLine]) -> str:
    line = reply[-1]
    if not isinstance(line, Response):
        raise PJLinkProtocolError(f"expected a response, got {line!r}")
    return line.result()
