"""PJLink lines: the greeting, requests and responses, and the decoders that cut a byte stream
into them.

Wire format (PJLink 1.04, class 1): every line ends in CR. A request is `%1CMND param`
(`?` queries), prefixed on the first line of an authenticated session by 32 lower-case hex
digits of MD5 (see auth.py). A response is `%1CMND=value`, `value` being a result, `OK` or
`ERR1`..`ERR4`. On connect the projector sends `PJLINK 0` (no auth) or `PJLINK 1 <salt>`; a
bad digest gets `PJLINK ERRA`. Pure code: no sockets here.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from devices.pjlink.errors import ErrorCode, PJLinkAuthError, PJLinkProtocolError, error_for
from devices.transport.framing import FrameDecoder

CR = b"\r"
QUERY = "?"
OK = "OK"
MAX_PARAMETER = 128  # bytes, PJLink 1.04 §2.2
MAX_LINE = 32 + 2 + 4 + 1 + MAX_PARAMETER  # digest + "%1" + command + separator + parameter

_COMMAND_RE = re.compile(r"[A-Z0-9]{4}")
_DIGEST_RE = re.compile(r"[0-9a-f]{32}")
_SALT_RE = re.compile(r"[0-9A-Za-z]{1,32}")


class Command(enum.StrEnum):
    """The class-1 commands (PJLink 1.04 §4)."""

    POWR = "POWR"  # power: 0 off, 1 on; query gives 0..3
    INPT = "INPT"  # input switch, two digits: type then number
    AVMT = "AVMT"  # audio/video mute
    ERST = "ERST"  # error status: six digits
    LAMP = "LAMP"  # lamp hours and on/off, per lamp
    INST = "INST"  # list of available inputs
    NAME = "NAME"  # projector name
    INF1 = "INF1"  # manufacturer
    INF2 = "INF2"  # product name
    INFO = "INFO"  # other information
    CLSS = "CLSS"  # PJLink class supported: 1 or 2


def _check_command(command: str) -> str:
    if not isinstance(command, str) or not _COMMAND_RE.fullmatch(command):
        raise PJLinkProtocolError(
            f"a PJLink command is four upper-case characters, not {command!r}"
        )
    return command


def _check_class(pjlink_class: int) -> int:
    if pjlink_class not in (1, 2):
        raise PJLinkProtocolError(f"PJLink class must be 1 or 2, not {pjlink_class!r}")
    return pjlink_class


def _text(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PJLinkProtocolError(f"line is not UTF-8 text: {line!r}") from exc


@dataclass(frozen=True)
class Greeting:
    """`PJLINK 0` (no authentication) or `PJLINK 1 <salt>` (authentication required)."""

    salt: str | None = None

    def __post_init__(self) -> None:
        if self.salt is not None and not _SALT_RE.fullmatch(self.salt):
            raise PJLinkProtocolError(f"bad PJLink greeting salt {self.salt!r}")

    @property
    def auth_required(self) -> bool:
        return self.salt is not None

    def serialize(self) -> bytes:
        text = "PJLINK 0" if self.salt is None else f"PJLINK 1 {self.salt}"
        return text.encode("ascii") + CR

    @classmethod
    def parse(cls, line: bytes) -> Greeting:
        parts = _text(line.rstrip(CR)).split(" ")
        if parts == ["PJLINK", "0"]:
            return cls(None)
        if len(parts) == 3 and parts[:2] == ["PJLINK", "1"]:
            return cls(parts[2])
        raise PJLinkProtocolError(f"not a PJLink greeting: {line!r}")


@dataclass(frozen=True)
class AuthFailure:
    """`PJLINK ERRA`: the projector rejected the digest (or its absence)."""

    def serialize(self) -> bytes:
        return b"PJLINK ERRA" + CR

    def error(self) -> PJLinkAuthError:
        return PJLinkAuthError("the projector rejected the PJLink password (ERRA)")


@dataclass(frozen=True)
class Request:
    """One command line: `%1POWR 1`, `%1INPT ?`."""

    command: str
    parameter: str = QUERY
    pjlink_class: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", str(_check_command(self.command)))
        _check_class(self.pjlink_class)
        raw = self.parameter.encode("utf-8")
        if not raw or len(raw) > MAX_PARAMETER or b"\r" in raw or b"\n" in raw:
            raise PJLinkProtocolError(
                f"a PJLink parameter is 1..{MAX_PARAMETER} bytes without line breaks, "
                f"not {self.parameter!r}"
            )

    @property
    def is_query(self) -> bool:
        return self.parameter == QUERY

    def serialize(self, digest: str | None = None) -> bytes:
        """The line to send; `digest` (see auth.py) prefixes the first line of a session."""
        if digest is not None and not _DIGEST_RE.fullmatch(digest):
            raise PJLinkProtocolError("a PJLink digest is 32 lower-case hex digits")
        body = f"{digest or ''}%{self.pjlink_class}{self.command} {self.parameter}"
        return body.encode("utf-8") + CR

    @classmethod
    def parse(cls, line: bytes) -> tuple[Request, str | None]:
        """Parse a request line (as a projector does); returns the request and its digest."""
        text = _text(line.rstrip(CR))
        digest = None
        if text[32:33] == "%" and _DIGEST_RE.fullmatch(text[:32]):
            digest, text = text[:32], text[32:]
        if len(text) < 8 or text[0] != "%" or text[1] not in "12" or text[6] != " ":
            raise PJLinkProtocolError(f"not a PJLink request: {line!r}")
        return cls(text[2:6], text[7:], int(text[1])), digest


@dataclass(frozen=True)
class Response:
    """One response line: `%1POWR=1`, `%1INPT=OK`, `%1POWR=ERR3`."""

    command: str
    value: str
    pjlink_class: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "command", str(_check_command(self.command)))
        _check_class(self.pjlink_class)
        if (
            "\r" in self.value
            or "\n" in self.value
            or len(self.value.encode("utf-8")) > MAX_PARAMETER
        ):
            raise PJLinkProtocolError(f"bad PJLink response value {self.value!r}")

    @property
    def error(self) -> ErrorCode | None:
        try:
            return ErrorCode(self.value)
        except ValueError:
            return None

    def result(self) -> str:
        """The value, or raise the error type its `ERRn` stands for."""
        code = self.error
        if code is not None:
            raise error_for(code, self.command)
        return self.value

    def serialize(self) -> bytes:
        return f"%{self.pjlink_class}{self.command}={self.value}".encode() + CR

    @classmethod
    def parse(cls, line: bytes) -> Response:
        text = _text(line.rstrip(CR))
        if len(text) < 7 or text[0] != "%" or text[1] not in "12" or text[6] != "=":
            raise PJLinkProtocolError(f"not a PJLink response: {line!r}")
        return cls(text[2:6], text[7:], int(text[1]))


ProjectorLine = Greeting | AuthFailure | Response


def _next_line(buffer: bytearray) -> bytes | None:
    """Remove one CR-terminated line; a stray LF (CR LF senders) and empty lines are skipped."""
    while True:
        end = buffer.find(CR)
        if end < 0:
            return None
        line = bytes(buffer[:end]).strip(b"\n")
        del buffer[: end + 1]
        if line:
            return line


class ResponseDecoder(FrameDecoder[ProjectorLine]):
    """Client side: greeting, `PJLINK ERRA` and `%1CMND=value` lines from a projector."""

    max_buffer = MAX_LINE + 2
    error_class = PJLinkProtocolError

    def cut_frame(self, buffer: bytearray) -> ProjectorLine | None:
        line = _next_line(buffer)
        if line is None:
            return None
        if line == b"PJLINK ERRA":
            return AuthFailure()
        if line.startswith(b"PJLINK "):
            return Greeting.parse(line)
        return Response.parse(line)


class RequestDecoder(FrameDecoder[tuple[Request, str | None]]):
    """Projector side: `[digest]%1CMND param` lines; yields (request, digest) pairs."""

    max_buffer = MAX_LINE + 2
    error_class = PJLinkProtocolError

    def cut_frame(self, buffer: bytearray) -> tuple[Request, str | None] | None:
        line = _next_line(buffer)
        if line is None:
            return None
        return Request.parse(line)
