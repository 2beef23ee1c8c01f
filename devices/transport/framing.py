"""The framing hook between a byte transport and a protocol codec.

A codec provides a `Decoder`: the link feeds it whatever bytes arrived and gets back complete
frames. The contract, so that no frame is lost around garbage:

- ``feed(data)`` appends ``data`` and returns every complete frame at the head of the buffer;
- when the head of the buffer is garbage, ``feed`` discards it (resyncing to the next
  plausible frame start) and raises `ProtocolError`; if good frames came before the garbage it
  returns them first and raises on the next call;
- so callers drain with ``feed(b"")`` until it returns an empty list: `iter_frames` does that;
- ``buffered`` is the number of bytes held while waiting for the rest of a frame (a datagram
  transport treats leftovers as a truncated, hence garbage, datagram).

`FrameDecoder` implements the contract around three codec hooks; `DelimitedDecoder` covers
terminator-based protocols (VISCA ``FF``, PJLink ``\\r``, Shure ``>``).
`Step` and `Accept` are the other half of the contract: how a codec says which frames answer
the request in flight. This module is sans-I/O: no asyncio, serial or socket imports.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Generic, NoReturn, Protocol, TypeVar

from devices.errors import ProtocolError

F = TypeVar("F")


class Decoder(Protocol[F]):
    """Turns a byte stream into frames; see the module docstring for the garbage contract."""

    @property
    def buffered(self) -> int: ...

    def feed(self, data: bytes) -> list[F]: ...


class Step(enum.Enum):
    """What a frame means to the request in flight; returned by an `Accept` function."""

    MORE = "more"  # part of the reply (a VISCA ACK); keep waiting
    DONE = "done"  # the reply is complete
    NOT_MINE = "not-mine"  # unsolicited or stale: give it to the unsolicited callback


Accept = Callable[[F], Step]
"""Classifies each frame for a request. It may raise a `DeviceError` to end the request:
`DeviceBusy` (or a subclass) makes the link resend after ``busy_delay``; anything else
(`DeviceRefused`, `ProtocolError`, ...) is raised to the caller as is."""


def iter_frames(decoder: Decoder[F], data: bytes) -> Iterator[F | ProtocolError]:
    """Feed ``data`` and yield every frame and every garbage error, in arrival order."""
    chunk = data
    while True:
        try:
            frames = decoder.feed(chunk)
        except ProtocolError as exc:
            yield exc
            chunk = b""
            continue
        yield from frames
        if not frames and not chunk:
            return
        chunk = b""


class FrameDecoder(Generic[F]):
    """The `Decoder` contract done once: a codec says where a frame may start, how long the
    frame at the head is, and how to parse it; this class buffers, resyncs and reports."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def starts_frame(self, byte: int) -> bool:
        """Whether a frame may begin with ``byte`` (used to resync after garbage)."""
        return True

    def frame_length(self, buffer: bytearray) -> int | None:
        """Length of the frame at the head; None while incomplete; ProtocolError if garbage."""
        raise NotImplementedError

    def parse(self, raw: bytes) -> F:
        """One whole frame to its typed form; ProtocolError if it does not make sense."""
        raise NotImplementedError

    def feed(self, data: bytes) -> list[F]:
        self._buffer += data
        frames: list[F] = []
        while self._buffer:
            try:
                if not self.starts_frame(self._buffer[0]):
                    raise ProtocolError("bytes outside any frame")
                length = self.frame_length(self._buffer)
            except ProtocolError as exc:
                if frames:
                    return frames
                self._drop(self._next_start(), str(exc))
            if length is None:
                return frames
            try:
                frame = self.parse(bytes(self._buffer[:length]))
            except ProtocolError:
                if frames:
                    return frames
                del self._buffer[:length]
                raise
            del self._buffer[:length]
            frames.append(frame)
        return frames

    def _next_start(self) -> int:
        for i in range(1, len(self._buffer)):
            if self.starts_frame(self._buffer[i]):
                return i
        return len(self._buffer)

    def _drop(self, count: int, why: str) -> NoReturn:
        dropped = bytes(self._buffer[:count])
        del self._buffer[:count]
        raise ProtocolError(f"{why}: dropped {dropped[:32].hex(' ')}")


class DelimitedDecoder(FrameDecoder[F]):
    """Frames that end with a terminator byte string, checked by a codec-supplied parser.

    ``parse(frame)`` gets one frame including its terminator and returns the typed message or
    raises `ProtocolError`. ``is_start(byte)`` says whether a byte may begin a frame (used to
    resync after garbage; accept everything by default). A frame longer than ``max_length``
    without a terminator is garbage.
    """

    def __init__(
        self,
        terminator: bytes,
        parse: Callable[[bytes], F],
        *,
        max_length: int,
        is_start: Callable[[int], bool] = lambda _byte: True,
    ) -> None:
        if not terminator:
            raise ValueError("terminator must not be empty")
        super().__init__()
        self._terminator = terminator
        self._parse = parse
        self._max_length = max_length
        self._is_start = is_start

    def starts_frame(self, byte: int) -> bool:
        return self._is_start(byte)

    def frame_length(self, buffer: bytearray) -> int | None:
        end = buffer.find(self._terminator, 0, self._max_length)
        if end >= 0:
            return end + len(self._terminator)
        if len(buffer) < self._max_length:
            return None
        raise ProtocolError(f"no terminator within {self._max_length} bytes")

    def parse(self, raw: bytes) -> F:
        return self._parse(raw)
