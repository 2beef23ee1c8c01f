"""The MP4 top-level box walker (pure): a whole file is covered exactly; a cut-short one, a
file that is not MP4 and impossible sizes are refused."""

from __future__ import annotations

import struct

import pytest

from classroom.recording.mp4_boxes import BoxError, BoxWalk, box_at


def box(kind: bytes, body: int) -> bytes:
    return struct.pack(">I4s", 8 + body, kind) + b"\0" * body


def walk(data: bytes) -> BoxWalk:
    w = BoxWalk(len(data))
    while not w.done:
        w.push(data[w.next_offset : w.next_offset + 16])
    w.check()
    return w


def test_a_whole_file_is_walked_box_by_box() -> None:
    data = box(b"ftyp", 12) + box(b"moov", 100) + box(b"mdat", 1000)
    assert [(b.kind, b.offset, b.size) for b in walk(data).boxes] == [("ftyp", 0, 20), ("moov", 20, 108), ("mdat", 128, 1008)]


def test_large_and_to_the_end_sizes() -> None:
    large = struct.pack(">I4sQ", 1, b"mdat", 16 + 50) + b"\0" * 50
    assert walk(box(b"ftyp", 4) + box(b"moov", 8) + large).boxes[-1].size == 66
    to_end = struct.pack(">I4s", 0, b"mdat") + b"\0" * 30
    assert walk(box(b"ftyp", 4) + box(b"moov", 8) + to_end).boxes[-1].size == 38


@pytest.mark.parametrize(
    "data, why",
    [
        ((box(b"ftyp", 4) + box(b"moov", 8) + box(b"mdat", 100))[:-10], "cut short"),
        (box(b"ftyp", 4) + box(b"mdat", 100), "no 'moov'"),
        (box(b"ftyp", 4) + box(b"moov", 10), "no media data"),
        (box(b"moov", 4) + box(b"mdat", 10), "does not start with an 'ftyp'"),
        (box(b"ftyp", 4) + struct.pack(">I4s", 3, b"moov"), "impossible size"),
        (box(b"ftyp", 4) + b"\0\0", "cut short"),
    ],
)
def test_bad_files_are_refused(data: bytes, why: str) -> None:
    with pytest.raises(BoxError, match=why):
        walk(data)


def test_a_header_alone_names_its_box() -> None:
    assert box_at(struct.pack(">I4s", 24, b"ftyp"), 0, 100).kind == "ftyp"
