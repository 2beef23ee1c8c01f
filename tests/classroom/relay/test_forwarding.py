"""DownTrack/UpTrack behaviour: rewriting, NACK answers, key frame requests, slow subscribers.

Outgoing bytes are checked with aiortc's own RTP parser, independent of ours.
"""

import struct

import pytest
from aiortc.rtcrtpparameters import RTCRtpHeaderExtensionParameters, RTCRtpParameters
from aiortc.rtp import HeaderExtensionsMap, RtpPacket

from classroom.relay.forwarding import CodecSpec, DownTrack, OutgoingParameters, UpTrack
from classroom.relay.sender_reports import NTP_EPOCH_OFFSET
from tests.support.clock import ManualClock

MID_URI = "urn:ietf:params:rtp-hdrext:sdes:mid"
VP8 = CodecSpec("video/VP8", 90000)
OPUS = CodecSpec("audio/opus", 48000, 2)
KEY = bytes([0x10, 0x00, 0xAA])  # VP8 key frame start
DELTA = bytes([0x10, 0x01, 0xBB])  # VP8 inter frame start
CONT = bytes([0x00, 0xCC])  # continuation packet


class Sink:
    def __init__(self):
        self.packets: list[bytes] = []
        self.accept = True

    def send(self, data: bytes) -> bool:
        if not self.accept:
            return False
        self.packets.append(data)
        return True

    def parsed(self):
        return [RtpPacket.parse(p) for p in self.packets]


class Env(ManualClock):
    """The test's clock, with a publisher's track running on it."""

    def __init__(self, codec=VP8):
        super().__init__()
        self.plis: list[float] = []
        self.up = UpTrack(
            "t1", codec, lambda: self.plis.append(self.now), self.schedule, clock=lambda: self.now
        )

    def subscriber(self, ssrc=0x1111, pt=96, rtx=None, mid="3", ext_id=9):
        sink = Sink()
        dt = DownTrack(self.up.kind, self.up.codec.clock_rate, sink, clock=lambda: self.now)
        dt.bind(self.up)
        dt.configure(
            OutgoingParameters(
                payload_type=pt,
                ssrc=ssrc,
                rtx_payload_type=rtx[0] if rtx else None,
                rtx_ssrc=rtx[1] if rtx else None,
                mid_extension_id=ext_id,
                mid=mid,
            )
        )
        return dt, sink

    def send(self, seq, ts, payload, marker=False):
        self.up.on_packet(seq, ts, marker, payload, self.now)


def test_rewrites_header_for_each_subscriber_and_shares_payload():
    env = Env()
    a, sink_a = env.subscriber(ssrc=0xAAAA, pt=96, mid="0")
    b, sink_b = env.subscriber(ssrc=0xBBBB, pt=120, mid="7")
    env.send(100, 9000, KEY, marker=True)
    pa, pb = sink_a.parsed()[0], sink_b.parsed()[0]
    assert (pa.ssrc, pa.payload_type, pa.marker) == (0xAAAA, 96, 1)
    assert (pb.ssrc, pb.payload_type, pb.marker) == (0xBBBB, 120, 1)
    assert pa.payload == pb.payload == KEY
    # the MID header extension carries each subscriber's own mid (RFC 8843)
    extensions = HeaderExtensionsMap()
    extensions.configure(
        RTCRtpParameters(headerExtensions=[RTCRtpHeaderExtensionParameters(id=9, uri=MID_URI)])
    )
    assert RtpPacket.parse(sink_a.packets[0], extensions).extensions.mid == "0"
    assert RtpPacket.parse(sink_b.packets[0], extensions).extensions.mid == "7"


def test_new_subscriber_waits_for_keyframe_and_requests_one():
    env = Env()
    env.send(1, 0, KEY)
    dt, sink = env.subscriber()
    assert env.plis == [0.0]  # one key frame request on join
    env.advance(0.03)
    env.send(2, 3000, DELTA)
    env.send(3, 3000, CONT)
    assert sink.packets == []
    env.advance(0.03)
    env.send(4, 6000, KEY)
    env.send(5, 6000, CONT, marker=True)
    seqs = [p.sequence_number for p in sink.parsed()]
    assert len(seqs) == 2 and (seqs[1] - seqs[0]) & 0xFFFF == 1
    assert dt.stats.packets_skipped == 2


def test_many_joins_cause_one_keyframe_request_per_interval():
    env = Env()
    for i in range(20):
        env.subscriber(ssrc=i + 1)
        env.advance(0.01)
    env.advance(1.0)
    assert len(env.plis) == 2  # one at once, one deferred at 0.5 s
    assert env.up.keyframes.suppressed == 19


def test_subscriber_pli_is_forwarded_upstream_throttled():
    env = Env()
    dt, _ = env.subscriber()
    env.advance(1.0)
    env.plis.clear()
    for _ in range(5):
        dt.on_keyframe_request()
    assert len(env.plis) == 1
    assert dt.stats.keyframe_requests_received == 5


def test_nack_answered_from_cache_with_rtx():
    env = Env()
    dt, sink = env.subscriber(ssrc=0x10, pt=96, rtx=(97, 0x20))
    for i in range(5):
        env.send(1000 + i, 3000 * i, KEY if i == 0 else CONT)
    sent = sink.parsed()
    lost = sent[2]
    sink.packets.clear()
    dt.on_nack([lost.sequence_number])
    (rtx,) = sink.parsed()
    assert rtx.payload_type == 97 and rtx.ssrc == 0x20
    assert struct.unpack("!H", rtx.payload[:2])[0] == lost.sequence_number  # original seq
    assert rtx.payload[2:] == lost.payload
    assert rtx.timestamp == lost.timestamp
    assert dt.stats.packets_retransmitted == 1


def test_nack_without_rtx_resends_the_same_packet():
    env = Env()
    dt, sink = env.subscriber()
    for i in range(3):
        env.send(7 + i, 0, KEY if i == 0 else CONT)
    original = sink.packets[1]
    sink.packets.clear()
    dt.on_nack([RtpPacket.parse(original).sequence_number])
    assert sink.packets == [original]


def test_nack_for_packets_out_of_cache_or_never_sent_is_counted_as_miss():
    env = Env()
    dt, sink = env.subscriber()
    env.send(1, 0, KEY)
    for i in range(2, 700):  # more than the cache holds
        env.send(i, 0, CONT)
    first = sink.parsed()[0].sequence_number
    dt.on_nack([first, (first + 5000) & 0xFFFF])
    assert dt.stats.nack_misses == 2


def test_slow_subscriber_drops_to_next_keyframe_and_never_stalls_others():
    env = Env()
    slow, slow_sink = env.subscriber(ssrc=1)
    fast, fast_sink = env.subscriber(ssrc=2)
    env.advance(1.0)
    env.plis.clear()
    env.send(1, 0, KEY)
    env.send(2, 0, CONT)
    slow_sink.accept = False  # socket buffer full
    env.send(3, 3000, DELTA)
    assert slow.stats.congestion_drops == 1
    assert len(env.plis) == 1  # asked for a key frame to recover
    slow_sink.accept = True
    env.send(4, 6000, DELTA)
    env.send(5, 6000, CONT)
    env.send(6, 9000, KEY)
    env.send(7, 9000, CONT)
    assert len(fast_sink.packets) == 7
    slow_seqs = [p.sequence_number for p in slow_sink.parsed()]
    assert len(slow_seqs) == 4  # 1, 2, then 6, 7 — nothing between
    assert [(s - slow_seqs[0]) & 0xFFFF for s in slow_seqs] == [0, 1, 2, 3]  # no gap to NACK
    slow_ts = [p.timestamp for p in slow_sink.parsed()]
    assert (slow_ts[2] - slow_ts[0]) & 0xFFFFFFFF == 9000  # media time preserved


def test_audio_drop_does_not_wait_for_anything():
    env = Env(OPUS)
    dt, sink = env.subscriber()
    env.send(1, 0, b"\x01")
    sink.accept = False
    env.send(2, 960, b"\x02")
    sink.accept = True
    env.send(3, 1920, b"\x03")
    assert [p.payload for p in sink.parsed()] == [b"\x01", b"\x03"]
    assert env.plis == []


def test_broken_downtrack_is_isolated():
    env = Env()
    good, good_sink = env.subscriber(ssrc=1)
    bad, bad_sink = env.subscriber(ssrc=2)

    def boom(data):
        raise OSError("socket gone")

    bad_sink.send = boom
    env.send(1, 0, KEY)
    env.send(2, 0, CONT)
    assert len(good_sink.packets) == 2
    assert bad not in env.up.downtracks
    assert env.up.failed_downtracks == 1


def test_source_switch_keeps_outgoing_numbering_continuous():
    env = Env()
    other = UpTrack("t2", VP8, lambda: None, env.schedule, clock=lambda: env.now)
    dt, sink = env.subscriber()
    env.send(10, 1000, KEY)
    env.send(11, 1000, CONT)
    env.advance(0.2)
    dt.bind(other)
    other.on_packet(5000, 777, False, DELTA, env.now)  # not a key frame: waits
    other.on_packet(5001, 3777, False, KEY, env.now)
    p = sink.parsed()
    assert len(p) == 3
    assert (p[2].sequence_number - p[1].sequence_number) & 0xFFFF == 1
    assert (p[2].timestamp - p[1].timestamp) & 0xFFFFFFFF == round(0.2 * 90000)
    env.send(12, 4000, KEY)  # the old source no longer reaches this subscriber
    assert len(sink.packets) == 3


def test_sender_report_translates_publisher_clock():
    env = Env()
    dt, sink = env.subscriber()
    env.send(1, 50_000, KEY)
    out_ts = sink.parsed()[0].timestamp
    ntp = (3_900_000_000 << 32)
    env.up.on_sender_report(ntp, 50_000, env.now)
    env.advance(0.5)
    sr_ntp, sr_rtp, packets, octets = dt.sender_report()
    assert sr_ntp == ntp + (1 << 31)  # 0.5 s later in the publisher's NTP domain
    assert sr_rtp == (out_ts + 45_000) & 0xFFFFFFFF  # subscriber's timeline, 0.5 s later
    assert (packets, octets) == (1, len(KEY))


def test_sender_report_before_publisher_report_uses_local_clock():
    env = Env()
    dt, sink = env.subscriber()
    assert dt.sender_report() is None
    env.send(1, 0, KEY)
    sr_ntp, _, _, _ = dt.sender_report()
    assert (sr_ntp >> 32) > NTP_EPOCH_OFFSET


def test_rtt_from_receiver_report():
    env = Env()
    dt, _ = env.subscriber()
    env.send(1, 0, KEY)
    ntp, *_ = dt.sender_report()
    env.advance(0.25)
    dt.on_receiver_report(fraction_lost=64, jitter=12, lsr=(ntp >> 16) & 0xFFFFFFFF, dlsr=int(0.05 * 65536))
    assert dt.stats.rtt == pytest.approx(0.2, abs=1e-3)
    assert dt.stats.fraction_lost == 0.25


def test_process_counters_follow_forwarding_nacks_and_drops():
    from classroom.relay.counters import COUNTERS

    before = COUNTERS.snapshot()
    env = Env()
    dt, sink = env.subscriber(rtx=(97, 0x20))
    env.advance(1.0)
    env.send(1, 0, KEY)
    env.send(2, 0, CONT)
    dt.on_nack([sink.parsed()[0].sequence_number])
    sink.accept = False
    env.send(3, 3000, DELTA)
    sink.accept = True
    env.send(4, 6000, DELTA)
    after = COUNTERS.snapshot()
    delta = {k: after[k] - before[k] for k in after}
    assert delta["received_packets"] == 4
    assert delta["forwarded_packets"] == 2
    assert delta["nacks_received"] == 1 and delta["nacks_answered"] == 1
    assert delta["congestion_events"] == 1
    assert delta["slow_subscriber_drops"] == 2  # the refused packet and the one skipped after it
    assert delta["keyframe_requests_sent"] >= 1


class Tap:
    def __init__(self, fail: bool = False):
        self.seqs: list[int] = []
        self.closed = False
        self.fail = fail

    def on_packet(self, pkt):
        if self.fail:
            raise OSError("disk gone")
        self.seqs.append(pkt.seq)

    def on_source_closed(self):
        self.closed = True


def test_a_tap_sees_every_packet_beside_subscribers_asks_a_keyframe_and_hears_the_end():
    env = Env()
    dt, sink = env.subscriber()
    tap, broken = Tap(), Tap(fail=True)
    env.up.add_tap(tap)
    env.up.add_tap(broken)
    assert env.plis  # the tap starts at a key frame
    env.send(1, 0, DELTA)
    env.send(2, 3000, KEY)
    assert tap.seqs == [1, 2]  # every packet, not only from the key frame on
    assert len(sink.packets) == 1
    assert env.up.taps == (tap,)  # a failing tap is dropped, the others go on
    env.up.close()
    assert tap.closed and env.up.taps == ()


def test_keyframes_only_sends_whole_key_frames_with_continuous_numbering_and_asks_for_one_on_a_slide_change():
    from classroom.relay.forwarding import SLIDE_CHANGE_BYTES

    env = Env()
    down, sink = env.subscriber()
    down.keyframes_only = True
    env.send(1, 0, KEY)
    env.send(2, 0, CONT, marker=True)  # the key frame's last packet
    env.send(3, 3000, DELTA, marker=True)  # a still slide: skipped, no request
    assert len(sink.packets) == 2
    plis = len(env.plis)
    env.advance(1.0)
    env.send(4, 6000, DELTA)
    env.send(5, 6000, CONT + bytes(SLIDE_CHANGE_BYTES), marker=True)  # a big change: a key frame is asked for
    assert len(env.plis) == plis + 1 and len(sink.packets) == 2
    env.send(6, 9000, KEY, marker=True)
    seqs = [p.sequence_number for p in sink.parsed()]
    assert len(seqs) == 3 and (seqs[2] - seqs[1]) & 0xFFFF == 1  # no gap where frames were skipped
