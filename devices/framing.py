"""Incremental frame decoding shared by the byte-stream codecs (PJLink, MDC, Shure).

The transport layer hands a decoder whatever bytes arrived and gets back complete frames
(`feed(bytes) -> list[frame]`). A decoder never loses a good frame because of a bad one: when
it meets bytes it cannot use it drops exactly those bytes, keeps any frames already decoded
for the next call, and raises the codec's ProtocolError so the caller can count the fault.
No I/O here; subclasses only say how to cut one frame off the front of a buffer.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from devices.errors import ProtocolError

F = TypeVar("F")


class StreamDecoder(Generic[F]):
    """Buffer bytes and cut them into frames; subclasses implement `_next_frame`."""

    max_buffer = 4096  # a device that never ends a frame must not make us grow without bound
    error_class: type[ProtocolError] = ProtocolError  # the codec's own subclass

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._pending: list[F] = []

    @property
    def buffered(self) -> bytes:
        """Bytes received but not yet part of a complete frame."""
        return bytes(self._buffer)

    def clear(self) -> None:
        """Forget partial input, e.g. after a reconnect."""
        self._buffer.clear()
        self._pending.clear()

    def feed(self, data: bytes) -> list[F]:
        """Add bytes; return every complete frame, oldest first.

        Raises the codec's ProtocolError when the buffer starts with bytes that cannot begin a
        frame; those bytes are dropped, and frames decoded before them come back on the next
        call, so calling `feed(b"")` after an error resumes where decoding stopped.
        """
        self._buffer += data
        frames, self._pending = self._pending, []
        while True:
            try:
                frame = self._next_frame(self._buffer)
            except ProtocolError:
                self._pending = frames
                raise
            if frame is None:
                break
            frames.append(frame)
        if len(self._buffer) > self.max_buffer:
            self._buffer.clear()
            self._pending = frames
            raise self.error_class(f"no frame end within {self.max_buffer} bytes; input dropped")
        return frames

    def _next_frame(self, buffer: bytearray) -> F | None:
        """Remove one frame from the front of `buffer` and return it; None if incomplete.

        On bad bytes: delete them from `buffer`, then raise the codec's ProtocolError.
        """
        raise NotImplementedError
