"""The top-level boxes of an MP4/QuickTime file (ISO/IEC 14496-12 §4.2), read without PyAV.

An uploaded video is checked here before it is probed: a file whose last box runs past its
end was cut short (an interrupted copy), even when its `moov` box sits at the front and a
demuxer would open it happily and play until the missing bytes. Pure: the caller reads the
header bytes at the offsets this asks for.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

HEADER_BYTES = 16  # size (4), type (4), and the 64-bit size when size == 1
MAX_BOXES = 10_000  # a real file has a handful of top-level boxes


class BoxError(ValueError):
    """Not an MP4 file, or one cut short."""


@dataclass(frozen=True)
class Box:
    kind: str  # the four-character type, "ftyp", "moov", "mdat"...
    offset: int
    size: int  # header included


def box_at(header: bytes, offset: int, file_size: int) -> Box:
    """The box whose header (up to 16 bytes) starts at `offset` in a file of `file_size` bytes."""
    if len(header) < 8:
        raise BoxError(f"a box header at {offset} is cut short")
    size, raw = struct.unpack(">I4s", header[:8])
    if size == 1:
        if len(header) < 16:
            raise BoxError(f"a large box header at {offset} is cut short")
        (size,) = struct.unpack(">Q", header[8:16])
        least = 16
    else:
        least = 8
    if size == 0:  # the box runs to the end of the file
        size = file_size - offset
    if size < least:
        raise BoxError(f"a box at {offset} has an impossible size {size}")
    if offset + size > file_size:
        name = raw.decode("latin-1")
        raise BoxError(f"the file is cut short: a '{name}' box at {offset} needs {size} bytes, {file_size - offset} are left")
    return Box(raw.decode("latin-1"), offset, size)


class BoxWalk:
    """Walks the top-level boxes: `next_offset` says where to read the next header, `push`
    takes it; `done` when the file is covered exactly."""

    def __init__(self, file_size: int):
        self.file_size = file_size
        self.next_offset = 0
        self.boxes: list[Box] = []

    @property
    def done(self) -> bool:
        return self.next_offset >= self.file_size

    def push(self, header: bytes) -> Box:
        if len(self.boxes) >= MAX_BOXES:
            raise BoxError("too many top-level boxes for an MP4 file")
        box = box_at(header, self.next_offset, self.file_size)
        if not self.boxes and box.kind != "ftyp":
            raise BoxError("not an MP4 file: it does not start with an 'ftyp' box")
        self.boxes.append(box)
        self.next_offset = box.offset + box.size
        return box

    def check(self) -> None:
        """The whole file was walked: it needs its `moov` (the index) and some media data."""
        kinds = {b.kind for b in self.boxes}
        if "moov" not in kinds:
            raise BoxError("the file has no 'moov' box (it was cut short, or is a fragment)")
        if "mdat" not in kinds:
            raise BoxError("the file has no media data ('mdat' box)")
