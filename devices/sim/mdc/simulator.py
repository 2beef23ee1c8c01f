"""A simulated Samsung MDC display over loopback TCP (like port 1515) and a pseudo-terminal.

One display state shared by both transports: power, volume, mute, input source, and the
serial/model/software answers. It answers only its own display id, obeys broadcast (254)
silently, and NAKs values the catalog does not allow. Fault knobs: see devices/sim/faults.py
(busy → NAK, as MDC has no other way to refuse).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from devices.rooms_file.device_config import MdcDisplayConfig, SerialLink
from devices.sim.settings import simulated_port
from devices.errors import ProtocolError
from devices.mdc.messages import BROADCAST_ID, Command, Request, RequestDecoder, Response
from devices.mdc.values import InputSource, ModelNumber, MuteState, PowerState, Status, check_set
from devices.sim.faults import Faults, Outcome
from devices.sim.endpoints import PtyPort, TcpListener

GARBAGE = b"\x13\x37garbage"
NAK_NOT_ALLOWED = 0x01  # the error code our simulator puts in a NAK


@dataclass
class DisplayState:
    power: PowerState = PowerState.OFF
    volume: int = 20
    mute: MuteState = MuteState.OFF
    input: InputSource = InputSource.HDMI1
    serial: str = "CBSIM0000001"
    software: str = "S-CB-SIM-1.0"
    model: ModelNumber = field(
        default_factory=lambda: ModelNumber(species=0x04, code=0x31, tv=False)
    )  # LED signage


class MdcSimulator:
    """A display reachable over TCP (`tcp` endpoint) and a pty (`serial` endpoint)."""

    def __init__(
        self, *, display_id: int = 0, port: int = 0, serial: bool = True, tcp: bool = True
    ) -> None:
        self.display_id = display_id
        self.state = DisplayState()
        self.faults = Faults()
        self._tcp = TcpListener(self._tcp_session, port) if tcp else None
        self._want_pty = serial
        self._pty: PtyPort | None = None
        self._pty_task: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, cfg: MdcDisplayConfig) -> MdcSimulator:
        """Serial links get a pty, TCP links a loopback port (0 unless the file names one)."""
        if isinstance(cfg.link, SerialLink):
            return cls(display_id=cfg.display_id, tcp=False)
        return cls(display_id=cfg.display_id, port=simulated_port(cfg.link), serial=False)

    async def start(self) -> dict[str, str]:
        endpoints = {}
        if self._tcp is not None:
            endpoints["tcp"] = await self._tcp.start()
        if self._want_pty:
            self._pty = PtyPort()
            self._pty_task = asyncio.create_task(
                self._serve(self._pty.read, self._pty.write, False)
            )
            endpoints["serial"] = self._pty.path
        return endpoints

    async def stop(self) -> None:
        if self._tcp is not None:
            await self._tcp.stop()
        if self._pty_task is not None:
            self._pty_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pty_task
            self._pty_task = None
        if self._pty is not None:
            self._pty.close()
            self._pty = None

    @property
    def port(self) -> int:
        return self._tcp.port if self._tcp is not None else 0

    @property
    def serial_path(self) -> str | None:
        return self._pty.path if self._pty is not None else None

    async def _tcp_session(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        async def read() -> bytes:
            return await reader.read(1024)

        def write(data: bytes) -> None:
            writer.write(data)

        await self._serve(read, write, True)

    async def _serve(
        self,
        read: Callable[[], Awaitable[bytes]],
        write: Callable[[bytes], None],
        can_hang_up: bool,
    ) -> None:
        """Answer requests from one byte stream until it closes or a drop fault hangs up.

        A serial line cannot hang up, so there a drop fault makes the display go quiet.
        """
        decoder = RequestDecoder()
        while data := await read():
            for request in decoder.drain(data):
                if isinstance(request, ProtocolError):
                    continue  # a display ignores what it cannot frame
                if request.display_id not in (self.display_id, BROADCAST_ID):
                    continue  # another display on the chain
                reply = self.handle(request)
                if reply is None:
                    continue
                outcome = await self.faults.outcome()
                if outcome is Outcome.DROP and can_hang_up:
                    return
                if outcome is Outcome.SEND:
                    busy = Response.nak(request.command, self.display_id, NAK_NOT_ALLOWED)
                    write(self.faults.shape(reply.serialize(), busy.serialize(), GARBAGE))

    def handle(self, request: Request) -> Response | None:
        """Apply one request to the state; the reply, or None for broadcast."""
        reply = self._apply(request)
        return reply if request.expects_reply else None

    def _apply(self, request: Request) -> Response:
        nak = Response.nak(request.command, self.display_id, NAK_NOT_ALLOWED)
        try:
            command = Command(request.command)
        except ValueError:
            return nak
        if request.data:
            if not check_set(request):
                return nak
            self._set(command, request.data[0])
        value = self._query(command)
        return Response(command, self.display_id, True, value)

    def _set(self, command: Command, value: int) -> None:
        state = self.state
        if command is Command.POWER:
            state.power = PowerState.ON if value == PowerState.REBOOT else PowerState(value)
        elif command is Command.VOLUME:
            state.volume = value
        elif command is Command.MUTE:
            state.mute = MuteState(value)
        elif command is Command.INPUT_SOURCE:
            state.input = InputSource(value)

    def _query(self, command: Command) -> bytes:
        state = self.state
        answers: dict[Command, Callable[[], bytes]] = {
            Command.STATUS: lambda: Status(
                state.power, state.volume, state.mute, state.input
            ).serialize(),
            Command.SERIAL_NUMBER: lambda: state.serial.encode(),
            Command.SOFTWARE_VERSION: lambda: state.software.encode(),
            Command.MODEL_NUMBER: state.model.serialize,
            Command.POWER: lambda: bytes([state.power]),
            Command.VOLUME: lambda: bytes([state.volume]),
            Command.MUTE: lambda: bytes([state.mute]),
            Command.INPUT_SOURCE: lambda: bytes([state.input]),
        }
        return answers[command]()
