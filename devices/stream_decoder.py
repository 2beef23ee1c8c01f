"""Incremental frame decoding shared by the byte-stream codecs (PJLink, MDC, Shure).

Implements the link layer's `Decoder` contract (devices/transport/framing.py): `feed(bytes)`
returns complete frames; bytes that cannot begin a frame are dropped (resyncing to the next
plausible frame start) and reported as the codec's ProtocolError. Good frames decoded before
the bad bytes are returned first and the error is raised on the next call, so a caller that
drains with `feed(b"")` sees everything in arrival order and loses only the bad bytes. No I/O
here; subclasses only say how to cut one frame off the front of a buffer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from devices.errors import ProtocolError
from devices.transport.framing import iter_frames

F = TypeVar("F")


class StreamDecoder(Generic[F]):
    """Buffer bytes and cut them into frames; subclasses implement `_next_frame`."""

    max_buffer = 4096  # a device that never ends a frame must not make us grow without bound
    error_class: type[ProtocolError] = ProtocolError  # the codec's own subclass

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
        """Add bytes; return every complete frame, oldest first (see the module docstring)."""
        self._buffer += data
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        frames: list[F] = []
        while True:
            try:
                frame = self._next_frame(self._buffer)
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

    def _next_frame(self, buffer: bytearray) -> F | None:
        """Remove one frame from the front of `buffer` and return it; None if incomplete.

        On bad bytes: delete them from `buffer`, then raise the codec's ProtocolError.
        """
        raise NotImplementedError
