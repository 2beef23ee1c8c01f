from hypothesis import given, strategies as st

from classroom.relay.rewriter import RtpRewriter, seq_newer


def test_seq_newer_serial_arithmetic():
    assert seq_newer(1, 0)
    assert seq_newer(0, 65535)  # across wrap-around
    assert not seq_newer(65535, 0)
    assert not seq_newer(5, 5)
    assert seq_newer(100, 65000)


def test_first_segment_starts_where_asked_and_is_continuous():
    rw = RtpRewriter(90000, first_seq=1000, first_ts=5000)
    rw.resync(40000, 123456, now=0.0, keep_timestamps=False)
    assert rw.map(40000, 123456, 0.0) == (1000, 5000)
    assert rw.map(40001, 123456 + 3000, 0.03) == (1001, 8000)


def test_sequence_wraps_around_on_both_sides():
    rw = RtpRewriter(90000, first_seq=65534, first_ts=0)
    rw.resync(65533, 0, now=0.0, keep_timestamps=False)
    outs = [rw.map(s, 0, 0.0)[0] for s in (65533, 65534, 65535, 0, 1)]
    assert outs == [65534, 65535, 0, 1, 2]


def test_timestamp_wraps_around():
    rw = RtpRewriter(90000, first_seq=1, first_ts=0xFFFFFF00)
    rw.resync(10, 0, now=0.0, keep_timestamps=False)
    assert rw.map(10, 0, 0.0) == (1, 0xFFFFFF00)
    assert rw.map(11, 0x200, 0.1) == (2, 0x100)  # 0xFFFFFF00 + 0x200 wraps to 0x100


def test_resync_after_a_drop_continues_sequence_and_keeps_timestamp_offset():
    rw = RtpRewriter(90000, first_seq=500, first_ts=1000)
    rw.resync(10, 90000, now=0.0, keep_timestamps=False)
    rw.map(10, 90000, 0.0)
    rw.map(11, 93000, 0.033)
    # packets 12..19 dropped for a slow subscriber; resume at a key frame at 20
    rw.resync(20, 120000, now=0.33, keep_timestamps=True)
    seq, ts = rw.map(20, 120000, 0.33)
    assert seq == 502  # no gap the subscriber would NACK
    assert ts == 1000 + (120000 - 90000)  # media time preserved


def test_new_source_continues_timestamps_by_wall_clock():
    rw = RtpRewriter(90000, first_seq=1, first_ts=0)
    rw.resync(100, 7_000_000, now=10.0, keep_timestamps=False)
    rw.map(100, 7_000_000, 10.0)
    rw.resync(9, 42, now=10.5, keep_timestamps=False)  # another source, unrelated numbering
    assert rw.map(9, 42, 10.5) == (2, 45000)  # 0.5 s at 90 kHz after the last one sent


def test_packets_older_than_the_segment_are_dropped():
    rw = RtpRewriter(48000, first_seq=1, first_ts=0)
    rw.resync(1000, 0, now=0.0, keep_timestamps=False)
    assert rw.map(999, 0, 0.0) is None
    assert rw.map(1000, 0, 0.0) is not None


def test_reordered_packet_inside_segment_keeps_its_place():
    rw = RtpRewriter(90000, first_seq=1, first_ts=0)
    rw.resync(10, 0, now=0.0, keep_timestamps=False)
    rw.map(10, 0, 0.0)
    rw.map(12, 0, 0.0)
    assert rw.map(11, 0, 0.0) == (2, 0)
    assert rw.last_out_seq == 3  # the late packet does not move "last sent" backwards


def test_unmap_for_nacks():
    rw = RtpRewriter(90000, first_seq=65535, first_ts=0)
    rw.resync(200, 0, now=0.0, keep_timestamps=False)
    for s in range(200, 205):
        rw.map(s, 0, 0.0)
    assert rw.unmap_seq(65535) == 200
    assert rw.unmap_seq(2) == 203  # across the outgoing wrap-around
    assert rw.unmap_seq(5) is None  # not sent yet
    assert rw.unmap_seq(65534) is None  # before the segment


def test_long_stream_keeps_mapping_across_many_wraps():
    rw = RtpRewriter(90000, first_seq=0, first_ts=0)
    rw.resync(0, 0, now=0.0, keep_timestamps=False)
    for i in range(200_000):
        assert rw.map(i & 0xFFFF, (i * 3000) & 0xFFFFFFFF, 0.0) == (i & 0xFFFF, (i * 3000) & 0xFFFFFFFF)


@given(
    start_in=st.integers(0, 0xFFFF),
    start_ts=st.integers(0, 0xFFFFFFFF),
    first_seq=st.integers(0, 0xFFFF),
    first_ts=st.integers(0, 0xFFFFFFFF),
    steps=st.lists(st.integers(1, 3), min_size=1, max_size=50),
)
def test_mapping_preserves_differences(start_in, start_ts, first_seq, first_ts, steps):
    rw = RtpRewriter(90000, first_seq=first_seq, first_ts=first_ts)
    rw.resync(start_in, start_ts, now=0.0, keep_timestamps=False)
    seq, ts = start_in, start_ts
    out = rw.map(seq, ts, 0.0)
    assert out == (first_seq & 0xFFFF, first_ts)
    for step in steps:
        seq2, ts2 = (seq + step) & 0xFFFF, (ts + step * 3000) & 0xFFFFFFFF
        out2 = rw.map(seq2, ts2, 0.0)
        assert out2 is not None
        assert (out2[0] - out[0]) & 0xFFFF == step
        assert (out2[1] - out[1]) & 0xFFFFFFFF == step * 3000
        seq, ts, out = seq2, ts2, out2
