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

`FrameDecoder` implements the contract once, for every codec; `DelimitedDecoder` covers
terminator-based protocols (VISCA ``FF``).
`FrameVerdict` and `Accept` are the other half of the contract: how a codec says which frames answer
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


class FrameVerdict(enum.Enum):
    """What a frame means to the request in flight; returned by an `Accept` function."""

    MORE = "more"  # part of the reply (a VISCA ACK); keep waiting
    DONE = "done"  # the reply is complete
    NOT_MINE = "not-mine"  # unsolicited or stale: give it to the unsolicited callback


Accept = Callable[[F], FrameVerdict]
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
    """The `Decoder` contract done once, for every codec: buffer, cut, resync, report.

    A codec says how to cut one frame off the front of the buffer, in one of two ways:

    - override `cut_frame` (PJLink lines, MDC checksummed frames, Shure ``< … >`` frames), or
    - keep the default `cut_frame` and say where a frame may start (`starts_frame`), how long
      the frame at the head is (`frame_length`) and how to parse it (`parse`): header/length
      or terminator framing (VISCA, VISCA over IP, `DelimitedDecoder`).

    Good frames cut before bad bytes are returned first and the error is raised on the next
    call, so a caller draining with ``feed(b"")`` (`drain`, `iter_frames`) sees everything in
    arrival order and loses only the bad bytes.
    """

    max_buffer = 4096  # a device that never ends a frame must not make us grow without bound
    error_class: type[ProtocolError] = ProtocolError  # the codec's own subclass, for overflows

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._error: ProtocolError | None = None

    @property
    def buffered(self) -> int:
        """How many bytes are held waiting for the rest of a frame."""
        return len(self._buffer)

    def clear(self) -> None:
        """Forget partial input, e.g. after a reconnect."""
        self._buffer.clear()
        self._error = None

    def feed(self, data: bytes) -> list[F]:
        """Add bytes; return every complete frame, oldest first (see the class docstring)."""
        self._buffer += data
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        frames: list[F] = []
        while True:
            try:
                frame = self.cut_frame(self._buffer)
            except ProtocolError as exc:
                if not frames:
                    raise
                self._error = exc
                return frames
            if frame is None:
                break
            frames.append(frame)
        if len(self._buffer) > self.max_buffer:
            self._buffer.clear()
            error = self.error_class(f"no frame end within {self.max_buffer} bytes; input dropped")
            if not frames:
                raise error
            self._error = error
        return frames

    def drain(self, data: bytes) -> Iterator[F | ProtocolError]:
        """Feed `data` and yield every frame and every error in arrival order (for peers
        such as the simulators that read the stream themselves)."""
        return iter_frames(self, data)

    def cut_frame(self, buffer: bytearray) -> F | None:
        """Remove one frame from the front of `buffer` and return it; None if incomplete.

        On bad bytes: delete them from `buffer` (resyncing to the next plausible frame
        start), then raise the codec's ProtocolError. The default uses the three hooks below.
        """
        if not buffer:
            return None
        try:
            if not self.starts_frame(buffer[0]):
                raise ProtocolError("bytes outside any frame")
            length = self.frame_length(buffer)
        except ProtocolError as exc:
            _drop(buffer, self._next_start(buffer), str(exc))
        if length is None:
            return None
        raw = bytes(buffer[:length])
        del buffer[:length]
        return self.parse(raw)

    def starts_frame(self, byte: int) -> bool:
        """Whether a frame may begin with ``byte`` (used to resync after garbage)."""
        return True

    def frame_length(self, buffer: bytearray) -> int | None:
        """Length of the frame at the head; None while incomplete; ProtocolError if garbage."""
        raise NotImplementedError

    def parse(self, raw: bytes) -> F:
        """One whole frame to its typed form; ProtocolError if it does not make sense."""
        raise NotImplementedError

    def _next_start(self, buffer: bytearray) -> int:
        for i in range(1, len(buffer)):
            if self.starts_frame(buffer[i]):
                return i
        return len(buffer)


def _drop(buffer: bytearray, count: int, why: str) -> NoReturn:
    dropped = bytes(buffer[:count])
    del buffer[:count]
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
