"""RFC 4571 framing: packets survive any split of the TCP stream."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classroom.relay.tcp_framing import MAX_FRAME, FrameReader, FramingError, frame


def test_a_frame_is_the_length_then_the_packet():
    assert frame(b"abc") == b"\x00\x03abc"
    assert frame(b"") == b"\x00\x00"
    assert len(frame(bytes(MAX_FRAME))) == MAX_FRAME + 2
    with pytest.raises(FramingError):
        frame(bytes(MAX_FRAME + 1))


@given(st.lists(st.binary(max_size=1500), max_size=8), st.lists(st.integers(min_value=1, max_value=64), max_size=40))
def test_packets_come_out_whole_however_the_stream_is_cut(packets, cuts):
    stream = b"".join(frame(p) for p in packets)
    reader = FrameReader()
    out, pos = [], 0
    for size in cuts:
        out += reader.feed(stream[pos : pos + size])
        pos += size
    out += reader.feed(stream[pos:])
    assert out == packets and reader.pending == 0


def test_a_partial_frame_waits_for_the_rest():
    reader = FrameReader()
    data = frame(os.urandom(100))
    assert reader.feed(data[:1]) == [] and reader.feed(data[1:50]) == []
    assert reader.pending == 50
    assert reader.feed(data[50:]) == [data[2:]]
