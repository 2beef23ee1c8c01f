"""A simulated PJLink class-1 projector on loopback TCP.

One projector state shared by all connections: power with warm-up and cool-down that last a
configurable time (ERR3 for commands that need the lamp meanwhile), inputs, A/V mute, lamp
hours, error status. Optional password (greeting `PJLINK 1 <salt>`, ERRA and hang-up on a bad
digest) and the 30 s idle hang-up real projectors do (configurable). Fault knobs: see
devices/sim/faults.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devices.rooms_file.device_config import PJLinkProjectorConfig
from devices.sim.settings import simulated_password, simulated_port
from devices.errors import ProtocolError
from devices.pjlink.auth import digest, new_salt
from devices.pjlink.errors import ErrorCode, PJLinkProtocolError
from devices.pjlink.messages import (
    OK,
    AuthFailure,
    Command,
    Greeting,
    Request,
    RequestDecoder,
    Response,
)
from devices.pjlink.values import (
    AvMute,
    ErrorStatus,
    Input,
    InputType,
    Lamp,
    PowerState,
    serialize_lamps,
)
from devices.sim.faults import Faults, Outcome
from devices.sim.endpoints import TcpListener

GARBAGE = b"\x00#garbage\xfe\r"


@dataclass
class ProjectorState:
    """What the projector is doing; power transitions settle when their time is up."""

    power: PowerState = PowerState.OFF
    input: Input = field(default_factory=lambda: Input(InputType.DIGITAL, 1))
    inputs: tuple[Input, ...] = (
        Input(InputType.RGB, 1),
        Input(InputType.VIDEO, 1),
        Input(InputType.DIGITAL, 1),
        Input(InputType.DIGITAL, 2),
        Input(InputType.NETWORK, 1),
    )
    mute: AvMute = field(default_factory=lambda: AvMute(False, False))
    lamp_hours: int = 1234
    errors: ErrorStatus = field(default_factory=ErrorStatus)
    name: str = "classbridge projector"
    manufacturer: str = "classbridge"
    product: str = "PJLink simulator"
    settles_at: float = 0.0  # clock time when WARMING/COOLING ends


class PJLinkSimulator:
    """A projector over TCP; `faults` holds the knobs, `state` the projector."""

    def __init__(
        self,
        *,
        port: int = 0,
        password: str | None = None,
        warm_up: float = 2.0,
        cool_down: float = 2.0,
        idle_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.password = password
        self.warm_up = warm_up
        self.cool_down = cool_down
        self.idle_timeout = idle_timeout
        self.clock = clock
        self.state = ProjectorState()
        self.faults = Faults()
        self._listener = TcpListener(self._session, port)

    @classmethod
    def from_config(cls, cfg: PJLinkProjectorConfig) -> PJLinkSimulator:
        """Port 0 unless the rooms file names one; the password as the driver will find it."""
        password = simulated_password(cfg)
        return cls(port=simulated_port(cfg), password=password)

    async def start(self) -> dict[str, str]:
        return {"tcp": await self._listener.start()}

    async def stop(self) -> None:
        await self._listener.stop()

    @property
    def port(self) -> int:
        return self._listener.port

    def power(self) -> PowerState:
        """The power state now, settling a warm-up or cool-down whose time is up."""
        state = self.state
        if (
            state.power in (PowerState.WARMING, PowerState.COOLING)
            and self.clock() >= state.settles_at
        ):
            state.power = PowerState.ON if state.power is PowerState.WARMING else PowerState.OFF
        return state.power

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        salt = new_salt() if self.password is not None else None
        writer.write(Greeting(salt).serialize())
        decoder = RequestDecoder()
        authenticated = salt is None
        while True:
            try:
                data = await asyncio.wait_for(reader.read(1024), self.idle_timeout)
            except TimeoutError:
                return  # idle projectors hang up (PJLink 1.04 §5.1: 30 s)
            if not data:
                return
            for line in decoder.drain(data):
                if isinstance(line, ProtocolError):
                    continue  # projectors ignore lines they cannot read
                request, got_digest = line
                if not authenticated:
                    if (
                        salt is None
                        or self.password is None
                        or got_digest != digest(salt, self.password)
                    ):
                        writer.write(AuthFailure().serialize())
                        await writer.drain()
                        return
                    authenticated = True
                outcome = await self.faults.outcome()
                if outcome is Outcome.DROP:
                    return
                if outcome is Outcome.SILENT:
                    continue
                reply = self.handle(request).serialize()
                busy = Response(request.command, ErrorCode.UNAVAILABLE_TIME, request.pjlink_class)
                writer.write(self.faults.shape(reply, busy.serialize(), GARBAGE))
                await writer.drain()

    def handle(self, request: Request) -> Response:
        """The projector's answer to one request (no faults applied)."""
        if request.pjlink_class != 1:
            return self._reply(request, ErrorCode.UNDEFINED_COMMAND)
        try:
            command = Command(request.command)
        except ValueError:
            return self._reply(request, ErrorCode.UNDEFINED_COMMAND)
        handler = _HANDLERS[command]
        return self._reply(request, handler(self, request.parameter, request.is_query))

    @staticmethod
    def _reply(request: Request, value: str) -> Response:
        return Response(request.command, value, request.pjlink_class)

    def _powr(self, param: str, query: bool) -> str:
        power = self.power()
        if query:
            return power.value
        if param not in (PowerState.ON, PowerState.OFF):
            return ErrorCode.OUT_OF_PARAMETER
        if power in (PowerState.WARMING, PowerState.COOLING):
            return ErrorCode.UNAVAILABLE_TIME
        if param == PowerState.ON and power is PowerState.OFF:
            self.state.power, self.state.settles_at = (
                PowerState.WARMING,
                self.clock() + self.warm_up,
            )
        elif param == PowerState.OFF and power is PowerState.ON:
            self.state.power, self.state.settles_at = (
                PowerState.COOLING,
                self.clock() + self.cool_down,
            )
        self.power()  # a zero-length warm-up settles at once
        return OK

    def _inpt(self, param: str, query: bool) -> str:
        if self.power() is not PowerState.ON:
            return ErrorCode.UNAVAILABLE_TIME
        if query:
            return self.state.input.serialize()
        try:
            wanted = Input.parse(param)
        except PJLinkProtocolError:
            return ErrorCode.OUT_OF_PARAMETER
        if wanted not in self.state.inputs:
            return ErrorCode.OUT_OF_PARAMETER
        self.state.input = wanted
        return OK

    def _avmt(self, param: str, query: bool) -> str:
        if self.power() is not PowerState.ON:
            return ErrorCode.UNAVAILABLE_TIME
        if query:
            return self.state.mute.serialize()
        if len(param) != 2 or param[0] not in "123" or param[1] not in "01":
            return ErrorCode.OUT_OF_PARAMETER
        on = param[1] == "1"
        video = on if param[0] in "13" else self.state.mute.video
        audio = on if param[0] in "23" else self.state.mute.audio
        self.state.mute = AvMute(video, audio)
        return OK


def _query_only(
    value: Callable[[PJLinkSimulator], str],
) -> Callable[[PJLinkSimulator, str, bool], str]:
    """A command that can only be queried: anything but `?` is out of parameter."""

    def handler(sim: PJLinkSimulator, param: str, query: bool) -> str:
        return value(sim) if query else ErrorCode.OUT_OF_PARAMETER

    return handler


_HANDLERS: dict[Command, Callable[[PJLinkSimulator, str, bool], str]] = {
    Command.POWR: PJLinkSimulator._powr,
    Command.INPT: PJLinkSimulator._inpt,
    Command.AVMT: PJLinkSimulator._avmt,
    Command.ERST: _query_only(lambda sim: sim.state.errors.serialize()),
    Command.LAMP: _query_only(
        lambda sim: serialize_lamps((Lamp(sim.state.lamp_hours, sim.power() is PowerState.ON),))
    ),
    Command.INST: _query_only(lambda sim: " ".join(i.serialize() for i in sim.state.inputs)),
    Command.NAME: _query_only(lambda sim: sim.state.name),
    Command.INF1: _query_only(lambda sim: sim.state.manufacturer),
    Command.INF2: _query_only(lambda sim: sim.state.product),
    Command.INFO: _query_only(lambda sim: "warm-up and cool-down simulated"),
    Command.CLSS: _query_only(lambda sim: "1"),
}
