"""Shure command strings: `< GET|SET|REP|SAMPLE … >` and the decoder for a TCP stream.

Format (Shure MXA910/P300 command strings; Companion shure modules; PlaceOS mxa.cr):
`< TYPE [channel] COMMAND [value] >`. Channels are written as two digits (`01`) and `0` means
every channel in `< GET 0 ALL >`; devices reply zero-padded, Companion sends `1`, so both are
read. Device-wide commands such as DEVICE_AUDIO_MUTE take no channel. String values come in
braces padded with spaces (`{ steves dev }`), and may hold `<` or `>`. Parsing is lenient: an
unknown REP is kept as its raw command and value. Pure code: no sockets here.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from devices.shure.errors import ShureCommandError, ShureProtocolError
from devices.transport.framing import FrameDecoder

MAX_FRAME = 2048
_COMMAND_RE = re.compile(r"[A-Z0-9_]+")
_CHANNEL_RE = re.compile(r"[0-9]{1,3}")


class Parameter(enum.StrEnum):
    """Command names classbridge uses; others pass through as plain strings."""

    ALL = "ALL"
    DEVICE_AUDIO_MUTE = "DEVICE_AUDIO_MUTE"
    AUDIO_MUTE = "AUDIO_MUTE"
    AUDIO_GAIN_HI_RES = "AUDIO_GAIN_HI_RES"
    METER_RATE = "METER_RATE"
    DEVICE_ID = "DEVICE_ID"
    MODEL = "MODEL"
    SERIAL_NUM = "SERIAL_NUM"
    FW_VER = "FW_VER"
    CHAN_NAME = "CHAN_NAME"
    PRESET = "PRESET"
    FLASH = "FLASH"


def _check(command: str, channel: int | None, value: str = "") -> None:
    if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
        raise ShureProtocolError(f"a Shure command name is A-Z, 0-9 and '_', not {command!r}")
    if channel is not None and not 0 <= channel <= 999:
        raise ShureProtocolError(f"bad Shure channel {channel!r}")
    if "\r" in value or "\n" in value:
        raise ShureProtocolError("a Shure value has no line breaks")


def _head(kind: str, channel: int | None, command: str) -> str:
    if channel is None:
        return f"{kind} {command}"
    return f"{kind} {channel if channel == 0 else f'{channel:02d}'} {command}"


def _frame(text: str) -> bytes:
    return f"< {text} >".encode()


@dataclass(frozen=True)
class Get:
    """`< GET 01 AUDIO_MUTE >`, `< GET DEVICE_AUDIO_MUTE >`, `< GET 0 ALL >`."""

    command: str
    channel: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", str(self.command))
        _check(self.command, self.channel)

    def serialize(self) -> bytes:
        return _frame(_head("GET", self.channel, self.command))


@dataclass(frozen=True)
class Set:
    """`< SET DEVICE_AUDIO_MUTE ON >`, `< SET 01 AUDIO_GAIN_HI_RES 1100 >`."""

    command: str
    value: str
    channel: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", str(self.command))
        _check(self.command, self.channel, self.value)
        if not self.value.strip():
            raise ShureProtocolError(f"SET {self.command} needs a value")

    def serialize(self) -> bytes:
        return _frame(f"{_head('SET', self.channel, self.command)} {self.value}")


@dataclass(frozen=True)
class Report:
    """`< REP 01 AUDIO_MUTE ON >`: a device's answer, or an unsolicited change notice."""

    command: str
    value: str
    channel: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", str(self.command))
        _check(self.command, self.channel, self.value)

    @property
    def text(self) -> str:
        """The value without the braces and padding of a string value."""
        value = self.value
        if value.startswith("{") and value.endswith("}"):
            return value[1:-1].strip()
        return value

    def serialize(self) -> bytes:
        head = _head("REP", self.channel, self.command)
        return _frame(f"{head} {self.value}" if self.value else head)


@dataclass(frozen=True)
class ReportError:
    """`< REP ERR >`: the device refused the last command."""

    def serialize(self) -> bytes:
        return _frame("REP ERR")

    def error(self) -> ShureCommandError:
        return ShureCommandError("the microphone refused the command (REP ERR)")


@dataclass(frozen=True)
class Sample:
    """`< SAMPLE 045 052 … >`: one meter frame, a raw level per channel (see values.py)."""

    levels: tuple[int, ...]

    def __post_init__(self) -> None:
        if any(not 0 <= level <= 999 for level in self.levels):
            raise ShureProtocolError(f"meter levels are 0..999, not {self.levels!r}")

    def serialize(self) -> bytes:
        return _frame(" ".join(["SAMPLE", *(f"{level:03d}" for level in self.levels)]))


Message = Get | Set | Report | ReportError | Sample


def _tokens(text: str) -> list[str]:
    """Split on spaces, keeping a `{ … }` string value as one token."""
    tokens: list[str] = []
    rest = text.strip()
    while rest:
        if rest[0] == "{":
            end = rest.find("}")
            if end < 0:
                raise ShureProtocolError(f"unclosed string value in {text!r}")
            tokens.append(rest[: end + 1])
            rest = rest[end + 1 :].lstrip()
        else:
            token, _, rest = rest.partition(" ")
            tokens.append(token)
            rest = rest.lstrip()
    return tokens


def parse(text: str) -> Message:
    """Parse the inside of one `< … >` frame."""
    tokens = _tokens(text)
    if not tokens:
        raise ShureProtocolError("empty Shure frame")
    kind, args = tokens[0], tokens[1:]
    if kind == "SAMPLE":
        if not all(_CHANNEL_RE.fullmatch(token) for token in args):
            raise ShureProtocolError(f"bad meter sample {text!r}")
        return Sample(tuple(int(token) for token in args))
    if kind not in ("GET", "SET", "REP"):
        raise ShureProtocolError(f"unknown Shure message type {kind!r}")
    if kind == "REP" and args == ["ERR"]:
        return ReportError()
    channel = None
    if args and _CHANNEL_RE.fullmatch(args[0]):
        channel = int(args.pop(0))
    if not args:
        raise ShureProtocolError(f"no command name in {text!r}")
    command, value = args[0], " ".join(args[1:])
    if kind == "GET":
        if value:
            raise ShureProtocolError(f"GET takes no value: {text!r}")
        return Get(command, channel)
    if kind == "SET":
        return Set(command, value, channel)
    return Report(command, value, channel)


def _frame_end(buffer: bytearray, start: int) -> int:
    """Index of the `>` that closes the frame opened at `start`, or -1; `>` in braces is data."""
    in_string = False
    for i in range(start + 1, len(buffer)):
        byte = buffer[i]
        if byte == ord("{"):
            in_string = True
        elif byte == ord("}"):
            in_string = False
        elif byte == ord(">") and not in_string:
            return i
        elif byte == ord("<") and not in_string:
            return -2 - i  # a new frame starts before this one ended
    return -1


class MessageDecoder(FrameDecoder[Message]):
    """Cut `< … >` frames from a byte stream (either direction); whitespace between is fine."""

    max_buffer = MAX_FRAME
    error_class = ShureProtocolError

    def cut_frame(self, buffer: bytearray) -> Message | None:
        start = buffer.find(b"<")
        junk = bytes(buffer if start < 0 else buffer[:start])
        if junk.strip():
            del buffer[: len(junk)]
            raise ShureProtocolError(f"junk between Shure frames: {junk[:40]!r}")
        if start < 0:
            buffer.clear()
            return None
        del buffer[:start]
        end = _frame_end(buffer, 0)
        if end == -1:
            return None
        if end < -1:
            cut = -2 - end
            dropped = bytes(buffer[:cut])
            del buffer[:cut]
            raise ShureProtocolError(f"unterminated Shure frame: {dropped[:40]!r}")
        raw = bytes(buffer[1:end])
        del buffer[: end + 1]
        return parse(raw.decode("utf-8", errors="replace"))
