"""The MDC commands classbridge uses, as a catalog, and their typed payloads.

Codes and payload layouts follow the Samsung MDC protocol as implemented by
vgavro/samsung-mdc (commands.py): STATUS answers power, volume, mute, input source, picture
aspect and two legacy timer bytes; POWER, VOLUME, MUTE and INPUT_SOURCE take one byte.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.mdc.errors import MdcProtocolError
from devices.mdc.messages import Command, Request


class PowerState(enum.IntEnum):
    OFF = 0x00
    ON = 0x01
    REBOOT = 0x02


class MuteState(enum.IntEnum):
    OFF = 0x00
    ON = 0x01
    UNAVAILABLE = 0xFF  # models without audio


NO_AUDIO = 0xFF  # volume byte of models without audio


class InputSource(enum.IntEnum):
    """Input codes (0x14 INPUT_SOURCE). `*_PC` and DVI_VIDEO are reported, never set."""

    PC = 0x14
    DVI = 0x18
    DVI_VIDEO = 0x1F
    MAGICINFO = 0x20
    HDMI1 = 0x21
    HDMI1_PC = 0x22
    HDMI2 = 0x23
    HDMI2_PC = 0x24
    DP1 = 0x25
    DP2 = 0x26
    DP3 = 0x27
    HDMI3 = 0x31
    HDMI3_PC = 0x32
    HDMI4 = 0x33
    HDMI4_PC = 0x34
    HDBASET = 0x55
    URL_LAUNCHER = 0x63

    @property
    def settable(self) -> bool:
        return self not in _REPORT_ONLY

    @classmethod
    def from_name(cls, name: str) -> InputSource:
        """`hdmi1` → HDMI1: the names the Display facade accepts."""
        try:
            return cls[name.upper()]
        except KeyError:
            raise MdcProtocolError(f"unknown MDC input {name!r}") from None


_REPORT_ONLY = frozenset(
    {
        InputSource.DVI_VIDEO,
        InputSource.HDMI1_PC,
        InputSource.HDMI2_PC,
        InputSource.HDMI3_PC,
        InputSource.HDMI4_PC,
    }
)


@dataclass(frozen=True)
class CommandSpec:
    """What a command accepts: whether it can be queried, and the one-byte values it may set."""

    command: Command
    query: bool
    values: frozenset[int] = frozenset()  # empty: read-only


CATALOG: dict[Command, CommandSpec] = {
    spec.command: spec
    for spec in (
        CommandSpec(Command.STATUS, True),
        CommandSpec(Command.SERIAL_NUMBER, True),
        CommandSpec(Command.SOFTWARE_VERSION, True),
        CommandSpec(Command.MODEL_NUMBER, True),
        CommandSpec(Command.POWER, True, frozenset(PowerState)),
        CommandSpec(Command.VOLUME, True, frozenset(range(101))),
        CommandSpec(Command.MUTE, True, frozenset({MuteState.OFF, MuteState.ON})),
        CommandSpec(Command.INPUT_SOURCE, True, frozenset(s for s in InputSource if s.settable)),
    )
}
if set(CATALOG) != set(Command):
    raise RuntimeError("every MDC command needs a catalog entry")


def query(command: Command, display_id: int) -> Request:
    return Request(command, display_id)


def set_request(command: Command, display_id: int, value: int) -> Request:
    """A one-byte set, checked against the catalog before it goes on the wire."""
    spec = CATALOG[command]
    if value not in spec.values:
        raise MdcProtocolError(f"{command.name} does not accept {value!r}")
    return Request(command, display_id, bytes([value]))


def check_set(request: Request) -> bool:
    """True if a received set request is one the catalog allows (the simulator's check)."""
    try:
        spec = CATALOG[Command(request.command)]
    except ValueError:
        return False
    return len(request.data) == 1 and request.data[0] in spec.values


@dataclass(frozen=True)
class Status:
    """STATUS (0x00) reply data."""

    power: PowerState
    volume: int  # 0..100, NO_AUDIO on models without audio
    mute: MuteState
    input: int  # an InputSource code; kept as int so unknown codes survive
    aspect: int = 0
    on_timer: int = 0
    off_timer: int = 0

    def serialize(self) -> bytes:
        return bytes(
            [
                self.power,
                self.volume,
                self.mute,
                self.input,
                self.aspect,
                self.on_timer,
                self.off_timer,
            ]
        )

    @classmethod
    def parse(cls, data: bytes) -> Status:
        """Seven bytes; older models that stop after the input byte are accepted too."""
        if len(data) not in (4, 7):
            raise MdcProtocolError(f"STATUS data has 7 bytes, not {len(data)}")
        if data[1] > 100 and data[1] != NO_AUDIO:
            raise MdcProtocolError(f"STATUS volume {data[1]} is out of range")
        try:
            return cls(PowerState(data[0]), data[1], MuteState(data[2]), *data[3:])
        except ValueError:
            raise MdcProtocolError(f"bad STATUS data {data.hex(' ')}") from None

    @property
    def input_name(self) -> str:
        try:
            return InputSource(self.input).name.lower()
        except ValueError:
            return f"0x{self.input:02x}"


def parse_one(command: Command, data: bytes) -> int:
    """The single value byte of a POWER/VOLUME/MUTE/INPUT_SOURCE reply."""
    if len(data) != 1:
        raise MdcProtocolError(f"{command.name} reply has one data byte, not {len(data)}")
    return data[0]


def parse_text(data: bytes) -> str:
    """SERIAL_NUMBER / SOFTWARE_VERSION replies: UTF-8 text, NUL padded."""
    try:
        return data.decode("utf-8").rstrip("\x00")
    except UnicodeDecodeError:
        raise MdcProtocolError(f"bad MDC text {data!r}") from None


@dataclass(frozen=True)
class ModelNumber:
    """MODEL_NUMBER (0x10): species (LCD, LED, ...), model code, TV support."""

    species: int
    code: int
    tv: bool

    def serialize(self) -> bytes:
        return bytes([self.species, self.code, 0x00 if self.tv else 0x01])

    @classmethod
    def parse(cls, data: bytes) -> ModelNumber:
        if len(data) != 3 or data[2] not in (0, 1):
            raise MdcProtocolError(f"bad MODEL_NUMBER data {data.hex(' ')}")
        return cls(data[0], data[1], data[2] == 0)
