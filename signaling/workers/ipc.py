"""Messages between the server process and its media workers: typed, length-prefixed JSON.

Each message is a frozen dataclass; on the pipe it is a JSON object whose `t` names its type
and whose other keys are its fields. Sans-I/O framing (`encode`, `Decoder`) plus one stream
helper; signaling/workers/pool.py is the server side, signaling/workers/process.py the worker.
A body that is not one of these messages, with fields of the right types, is an `IpcError`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import struct
import typing
from dataclasses import dataclass
from typing import ClassVar, Union

_LENGTH = struct.Struct("!I")
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


class IpcError(Exception):
    """The other process sent something that is not one of the messages below."""


# ---- server → worker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Open:
    """A client connected to a class the worker carries."""

    TAG: ClassVar[str] = "open"
    conn: int
    class_id: str


@dataclass(frozen=True)
class Frame:
    """A signaling frame, from the client (server → worker) or for it (worker → server)."""

    TAG: ClassVar[str] = "frame"
    conn: int
    text: str


@dataclass(frozen=True)
class Gone:
    """The client disconnected."""

    TAG: ClassVar[str] = "gone"
    conn: int


@dataclass(frozen=True)
class EndClass:
    """The class was ended through the REST API: disconnect everyone in it."""

    TAG: ClassVar[str] = "end_class"
    class_id: str


@dataclass(frozen=True)
class CheckInNote:
    """A trainee checked in from the room (or out): the class's lecturers are told.
    Times are ISO 8601; `checked_out_at` is "" while they are in."""

    TAG: ClassVar[str] = "checkin"
    class_id: str
    external_id: str
    name: str
    checked_in_at: str
    checked_out_at: str


@dataclass(frozen=True)
class StatsRequest:
    """Relay counters and hub gauges, for /metrics."""

    TAG: ClassVar[str] = "stats"
    request: int


# ---- worker → server ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    TAG: ClassVar[str] = "ready"


@dataclass(frozen=True)
class Close:
    """Close the client's WebSocket with this code and reason."""

    TAG: ClassVar[str] = "close"
    conn: int
    code: int
    reason: str


@dataclass(frozen=True)
class StatsReply:
    TAG: ClassVar[str] = "reply"
    request: int
    counters: dict[str, int]
    gauges: dict[str, int]


ToWorker = Union[Open, Frame, Gone, EndClass, CheckInNote, StatsRequest]
ToServer = Union[Ready, Frame, Close, StatsReply]
Message = Union[ToWorker, ToServer]

_TYPES: dict[str, type[Message]] = {
    cls.TAG: cls for cls in (Open, Frame, Gone, EndClass, CheckInNote, StatsRequest, Ready, Close, StatsReply)
}
_FIELDS = {
    cls: {f.name: typing.get_type_hints(cls)[f.name] for f in dataclasses.fields(cls)} for cls in _TYPES.values()
}


def encode(message: Message) -> bytes:
    data = {"t": message.TAG, **{f.name: getattr(message, f.name) for f in dataclasses.fields(message)}}
    body = json.dumps(data, separators=(",", ":")).encode()
    if len(body) > MAX_MESSAGE_BYTES:
        raise IpcError(f"message of {len(body)} bytes exceeds {MAX_MESSAGE_BYTES}")
    return _LENGTH.pack(len(body)) + body


def _conforms(value: object, hint: object) -> bool:
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if typing.get_origin(hint) is dict:
        key, item = typing.get_args(hint)
        return isinstance(value, dict) and all(_conforms(k, key) and _conforms(v, item) for k, v in value.items())
    return False


def decode(data: object) -> Message:
    """One parsed JSON body as its message, or IpcError."""
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise IpcError("a message must be an object with a type 't'")
    cls = _TYPES.get(data["t"])
    if cls is None:
        raise IpcError(f"unknown message type {data['t']!r}")
    fields = {k: v for k, v in data.items() if k != "t"}
    hints = _FIELDS[cls]
    if fields.keys() != hints.keys() or not all(_conforms(fields[k], hints[k]) for k in hints):
        raise IpcError(f"malformed {cls.TAG!r} message: {sorted(fields)}")
    return cls(**fields)


class Decoder:
    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Message]:
        self._buffer += data
        messages = []
        while len(self._buffer) >= _LENGTH.size:
            (length,) = _LENGTH.unpack_from(self._buffer)
            if length > MAX_MESSAGE_BYTES:
                raise IpcError(f"announced message of {length} bytes exceeds {MAX_MESSAGE_BYTES}")
            end = _LENGTH.size + length
            if len(self._buffer) < end:
                break
            body = bytes(self._buffer[_LENGTH.size : end])
            del self._buffer[:end]
            try:
                parsed = json.loads(body)
            except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                raise IpcError(f"not JSON: {exc}") from None
            messages.append(decode(parsed))
        return messages


async def read_messages(reader: asyncio.StreamReader, decoder: Decoder) -> list[Message]:
    """The next messages; an empty list at end of stream."""
    while True:
        data = await reader.read(65536)
        if not data:
            return []
        messages = decoder.feed(data)
        if messages:
            return messages
