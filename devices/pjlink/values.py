"""Typed values of the class-1 commands (PJLink 1.04 §4), parsed from and written to the
text a response or request carries. Each parser raises PJLinkProtocolError on bad text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from devices.pjlink.errors import PJLinkProtocolError


class PowerState(enum.StrEnum):
    """POWR query result; set commands use only OFF and ON."""

    OFF = "0"
    ON = "1"
    COOLING = "2"
    WARMING = "3"


def parse_power(value: str) -> PowerState:
    try:
        return PowerState(value)
    except ValueError:
        raise PJLinkProtocolError(f"bad POWR value {value!r}") from None


class InputType(enum.StrEnum):
    RGB = "1"
    VIDEO = "2"
    DIGITAL = "3"
    STORAGE = "4"
    NETWORK = "5"


@dataclass(frozen=True)
class Input:
    """An input terminal: type and number 1–9, written as two digits (`31` = DIGITAL 1)."""

    type: InputType
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 9:
            raise PJLinkProtocolError(f"PJLink class 1 input numbers are 1..9, not {self.number}")

    @property
    def name(self) -> str:
        """The name the Display facade uses: `digital1`, `rgb2`."""
        return f"{self.type.name.lower()}{self.number}"

    def serialize(self) -> str:
        return f"{self.type.value}{self.number}"

    @classmethod
    def parse(cls, value: str) -> Input:
        if len(value) != 2 or value[1] not in "123456789":
            raise PJLinkProtocolError(f"bad PJLink input {value!r}")
        try:
            return cls(InputType(value[0]), int(value[1]))
        except ValueError:
            raise PJLinkProtocolError(f"bad PJLink input type in {value!r}") from None

    @classmethod
    def from_name(cls, name: str) -> Input:
        """`digital1` → Input(DIGITAL, 1); the inverse of `name`."""
        kind, number = name[:-1], name[-1:]
        try:
            return cls(InputType[kind.upper()], int(number))
        except (KeyError, ValueError):
            raise PJLinkProtocolError(f"unknown PJLink input name {name!r}") from None


def parse_inputs(value: str) -> tuple[Input, ...]:
    """INST result: space-separated inputs."""
    return tuple(Input.parse(item) for item in value.split(" ") if item)


class MuteTarget(enum.StrEnum):
    VIDEO = "1"
    AUDIO = "2"
    AUDIO_VIDEO = "3"


@dataclass(frozen=True)
class AvMute:
    """AVMT: which of picture and sound are muted.

    A set sends one target and on/off (`31` mutes both, `20` unmutes sound); a query answers
    11, 21, 31 or 30. `10`/`20` are accepted as "nothing muted" from lenient projectors.
    """

    video: bool
    audio: bool

    def serialize(self) -> str:
        if self.video and self.audio:
            return "31"
        if self.video:
            return "11"
        if self.audio:
            return "21"
        return "30"

    @classmethod
    def parse(cls, value: str) -> AvMute:
        states = {
            "11": (True, False),
            "21": (False, True),
            "31": (True, True),
            "30": (False, False),
            "10": (False, False),
            "20": (False, False),
        }
        try:
            return cls(*states[value])
        except KeyError:
            raise PJLinkProtocolError(f"bad AVMT value {value!r}") from None


def mute_parameter(target: MuteTarget, on: bool) -> str:
    """The AVMT set parameter: target digit then 1 (mute) or 0 (unmute)."""
    return f"{target.value}{1 if on else 0}"


class Health(enum.StrEnum):
    OK = "0"
    WARNING = "1"
    ERROR = "2"


@dataclass(frozen=True)
class ErrorStatus:
    """ERST: six digits, each 0 ok / 1 warning / 2 error."""

    fan: Health = Health.OK
    lamp: Health = Health.OK
    temperature: Health = Health.OK
    cover_open: Health = Health.OK
    filter: Health = Health.OK
    other: Health = Health.OK

    def serialize(self) -> str:
        return "".join(
            h.value
            for h in (
                self.fan,
                self.lamp,
                self.temperature,
                self.cover_open,
                self.filter,
                self.other,
            )
        )

    @classmethod
    def parse(cls, value: str) -> ErrorStatus:
        if len(value) != 6:
            raise PJLinkProtocolError(f"ERST has six digits, not {value!r}")
        try:
            return cls(*(Health(c) for c in value))
        except ValueError:
            raise PJLinkProtocolError(f"bad ERST value {value!r}") from None

    def problems(self) -> dict[str, Health]:
        """The parts that are not OK, by field name."""
        return {
            name: getattr(self, name)
            for name in self.__dataclass_fields__
            if getattr(self, name) is not Health.OK
        }


@dataclass(frozen=True)
class Lamp:
    hours: int
    on: bool


def parse_lamps(value: str) -> tuple[Lamp, ...]:
    """LAMP: pairs of cumulative hours (up to 5 digits) and 1/0 for on/off, up to 8 lamps."""
    items = value.split(" ")
    if not items or len(items) % 2 or len(items) > 16:
        raise PJLinkProtocolError(f"bad LAMP value {value!r}")
    lamps = []
    for hours, on in zip(items[::2], items[1::2], strict=True):
        if not (hours.isascii() and hours.isdigit() and len(hours) <= 5) or on not in ("0", "1"):
            raise PJLinkProtocolError(f"bad LAMP value {value!r}")
        lamps.append(Lamp(int(hours), on == "1"))
    return tuple(lamps)


def serialize_lamps(lamps: tuple[Lamp, ...]) -> str:
    return " ".join(f"{lamp.hours} {1 if lamp.on else 0}" for lamp in lamps)


def parse_class(value: str) -> int:
    if value not in ("1", "2"):
        raise PJLinkProtocolError(f"bad CLSS value {value!r}")
    return int(value)
