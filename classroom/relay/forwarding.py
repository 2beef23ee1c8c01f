"""Fan-out of one incoming track to many outgoing streams, packet by packet.

An `UpTrack` is a publisher's track as the relay receives it: it classifies each packet once
(may a subscriber start here?), keeps it in a cache for NACKs and hands it to every bound
`DownTrack`. A `DownTrack` is one outgoing stream on one subscriber's connection: it rewrites
the RTP header for its subscriber (payload type, SSRC, sequence number, timestamp, MID
extension) and gives the bytes to its `PacketSink`, which encrypts and sends without ever
waiting. A sink that cannot take more (a slow subscriber) makes its DownTrack drop everything
up to the next key frame and ask for one; the other subscribers never notice.

Nothing here imports aiortc: the aiortc glue feeds `UpTrack.on_packet` and implements
`PacketSink`, and unit tests drive both sides directly.
"""

from __future__ import annotations

import logging
import struct
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable, Protocol, Sequence

from classroom.relay.counters import COUNTERS
from classroom.relay.keyframe_requests import KeyframeRequester, Scheduler
from classroom.relay.packet_cache import PacketCache
from classroom.relay.payloads import start_predicate
from classroom.relay.rewriter import RtpRewriter
from classroom.relay.sender_reports import SenderClock, extrapolate, ntp_from_unix, translate
from classroom.relay.vp8_rewrite import Vp8Rewriter

if TYPE_CHECKING:
    from classroom.relay.fanout import FanoutScheduler

logger = logging.getLogger(__name__)

_HEADER = struct.Struct("!BBHII")
_OSN = struct.Struct("!H")
VIDEO_CACHE_PACKETS = 512
AUDIO_CACHE_PACKETS = 64
_RTT_HISTORY = 8
# Slides forwarded key frame by key frame: a skipped delta frame this large is a change of
# slide (a still slide's delta frames are a few hundred bytes), so a key frame is asked for.
SLIDE_CHANGE_BYTES = 6000


@dataclass(frozen=True)
class CodecSpec:
    """The codec a track is sent with: what subscribers must negotiate to receive it as is."""

    mime_type: str  # "video/VP8", "video/H264", "audio/opus"
    clock_rate: int
    channels: int | None = None
    parameters: tuple[tuple[str, str], ...] = ()  # fmtp, e.g. H.264 profile-level-id

    @property
    def kind(self) -> str:
        return self.mime_type.split("/")[0].lower()


class ForwardPacket:
    """One incoming RTP packet, parsed once and shared by every subscriber."""

    __slots__ = ("seq", "ts", "marker", "payload", "start", "arrival")

    def __init__(self, seq: int, ts: int, marker: bool, payload: bytes, start: bool, arrival: float):
        self.seq = seq
        self.ts = ts
        self.marker = marker
        self.payload = payload
        self.start = start  # a subscriber may start decoding here
        self.arrival = arrival


class PacketSink(Protocol):
    """Where a DownTrack's packets go: encrypt and send now, or refuse (never wait)."""

    def send(self, data: bytes) -> bool:
        """Send one plain RTP packet; False when the subscriber cannot take it now."""
        ...


class PacketTap(Protocol):
    """Sees every packet of a track beside its subscribers (the recorder): never blocks."""

    def on_packet(self, pkt: ForwardPacket) -> None: ...

    def on_source_closed(self) -> None:
        """The track ended: no packet follows."""
        ...


@dataclass
class OutgoingParameters:
    """What the subscriber negotiated for this stream."""

    payload_type: int
    ssrc: int
    rtx_payload_type: int | None = None
    rtx_ssrc: int | None = None
    mid_extension_id: int | None = None
    mid: str | None = None


def mid_extension_block(ext_id: int | None, mid: str | None) -> bytes:
    """RFC 8285 one-byte-header extension block carrying only the MID (RFC 8843 §15)."""
    if ext_id is None or not mid:
        return b""
    value = mid.encode("ascii")
    if not 1 <= ext_id <= 14 or not 1 <= len(value) <= 16:
        return b""
    body = bytes([(ext_id << 4) | (len(value) - 1)]) + value
    body += b"\x00" * (-len(body) % 4)
    return struct.pack("!HH", 0xBEDE, len(body) // 4) + body


@dataclass
class DownTrackStats:
    packets_sent: int = 0
    octets_sent: int = 0
    packets_skipped: int = 0  # not sent while waiting for a key frame
    congestion_drops: int = 0  # times the sink refused and the stream fell back to a key frame
    nacks_received: int = 0
    packets_retransmitted: int = 0
    nack_misses: int = 0  # NACKed packets no longer (or never) in the cache
    keyframe_requests_received: int = 0
    fraction_lost: float = 0.0
    # From the latest receiver report (RFC 3550 §6.4.1): extended highest sequence number
    # received and cumulative number of packets lost, None before the first report.
    rr_highest_seq: int | None = None
    rr_packets_lost: int = 0
    jitter: int = 0
    rtt: float | None = None
    remb_bps: int | None = None
    sr_sent_at: dict[int, float] = field(default_factory=dict)  # LSR key → local send time


class DownTrack:
    """One outgoing stream of one subscriber, bound to at most one source at a time."""

    def __init__(self, kind: str, clock_rate: int, sink: PacketSink, clock: Callable[[], float] = time.monotonic):
        self.kind = kind
        self.clock_rate = clock_rate
        self.sink = sink
        self.clock = clock
        self.source: UpTrack | None = None
        self.rewriter = RtpRewriter(clock_rate)
        self.stats = DownTrackStats()
        self.ready = False  # negotiated and connected: packets can go out
        self._waiting = True  # for a start point (key frame for video)
        self._congested = False  # waiting because the sink refused a packet
        self._keep_timestamps = False
        self._b0 = 0x80
        self._pt = 0
        self._ssrc = 0
        self._ext = b""
        self._rtx_pt: int | None = None
        self._rtx_ssrc = 0
        self._rtx_seq = 0
        # VP8 picture IDs continuous across sources (set by the peer for VP8 streams).
        self.vp8: Vp8Rewriter | None = None
        # Forward key frames only (slides on change): each one starts and ends a segment.
        self.keyframes_only = False
        self._skipped_frame_bytes = 0

    # ---- set-up -------------------------------------------------------------------------

    def configure(self, params: OutgoingParameters) -> None:
        """Apply the subscriber's negotiated parameters; from now on packets can go out."""
        self._pt = params.payload_type & 0x7F
        self._ssrc = params.ssrc
        self._ext = mid_extension_block(params.mid_extension_id, params.mid)
        self._b0 = 0x90 if self._ext else 0x80
        self._rtx_pt = params.rtx_payload_type if params.rtx_ssrc is not None else None
        self._rtx_ssrc = params.rtx_ssrc or 0
        was_ready, self.ready = self.ready, True
        if not was_ready and self.source is not None:
            self._waiting = True
            self.source.request_keyframe()

    def bind(self, source: UpTrack | None, request_keyframe: bool = True) -> None:
        """Forward `source` from now on (None: forward nothing); continuity is kept.

        `request_keyframe` False: the caller starts the stream at a key frame it holds."""
        if source is self.source:
            return
        if self.source is not None:
            self.source.detach(self)
        self.source = source
        self._waiting = True
        self._keep_timestamps = False  # a new source: continue timestamps by wall clock
        if source is not None:
            source.attach(self)
            if self.ready and request_keyframe:
                source.request_keyframe()

    def close(self) -> None:
        self.bind(None)
        self.ready = False

    # ---- the hot path ---------------------------------------------------------------------

    def forward(self, pkt: ForwardPacket) -> None:
        if self._waiting:
            if not self.ready:
                return
            if not pkt.start:
                self.stats.packets_skipped += 1
                if self._congested:
                    COUNTERS.slow_subscriber_drops += 1
                elif self.keyframes_only:
                    self._skipped_frame(pkt)
                return
            self.rewriter.resync(pkt.seq, pkt.ts, pkt.arrival, keep_timestamps=self._keep_timestamps)
            if self.vp8 is not None:
                self.vp8.resync(pkt.payload)
            self._waiting = self._congested = False
        mapped = self.rewriter.map(pkt.seq, pkt.ts, pkt.arrival)
        if mapped is None:
            return
        header = _HEADER.pack(self._b0, self._pt | 0x80 if pkt.marker else self._pt, mapped[0], mapped[1], self._ssrc)
        if self.vp8 is None:
            data = header + self._ext + pkt.payload
        else:  # the VP8 descriptor rewritten; the rest of the payload copied once
            head, cut = self.vp8.head(pkt.payload)
            data = header + self._ext + pkt.payload if not cut else header + self._ext + head + memoryview(pkt.payload)[cut:]
        if pkt.marker and self.keyframes_only:
            # The key frame is complete: skip to the next one, numbering kept continuous.
            self._waiting = self._keep_timestamps = True
            self._skipped_frame_bytes = 0
        if self.sink.send(data):
            self.stats.packets_sent += 1
            self.stats.octets_sent += len(pkt.payload)
            COUNTERS.forwarded_packets += 1
            COUNTERS.forwarded_bytes += len(data)
            return
        COUNTERS.congestion_events += 1
        COUNTERS.slow_subscriber_drops += 1
        if self.kind == "video":
            # Slow subscriber: drop to the next key frame rather than queue (never block).
            self.stats.congestion_drops += 1
            self.rewriter.unsend(mapped[0])
            self._waiting = self._congested = True
            self._keep_timestamps = True
            if self.source is not None:
                self.source.request_keyframe()

    def _skipped_frame(self, pkt: ForwardPacket) -> None:
        """Slides between key frames: a large frame is a new slide, worth a key frame."""
        self._skipped_frame_bytes += len(pkt.payload)
        if pkt.marker:
            if self._skipped_frame_bytes >= SLIDE_CHANGE_BYTES and self.source is not None:
                self.source.request_keyframe()
            self._skipped_frame_bytes = 0

    # ---- RTCP from the subscriber -----------------------------------------------------------

    def on_nack(self, lost: Iterable[int]) -> None:
        """Answer a NACK from the source's packet cache (RTX-wrapped when negotiated)."""
        source = self.source
        for out_seq in lost:
            self.stats.nacks_received += 1
            COUNTERS.nacks_received += 1
            in_seq = self.rewriter.unmap_seq(out_seq)
            pkt = source.cache.get(in_seq) if source is not None and in_seq is not None else None
            if pkt is None or not self.ready:
                self.stats.nack_misses += 1
                continue
            out_ts = (pkt.ts + self.rewriter.ts_offset) & 0xFFFFFFFF
            payload = pkt.payload if self.vp8 is None else self.vp8.rewrite(pkt.payload, resent=True)
            if self._rtx_pt is not None:
                marker = 0x80 if pkt.marker else 0
                data = (
                    _HEADER.pack(self._b0, self._rtx_pt | marker, self._rtx_seq, out_ts, self._rtx_ssrc)
                    + self._ext
                    + _OSN.pack(out_seq)
                    + payload
                )
                self._rtx_seq = (self._rtx_seq + 1) & 0xFFFF
            else:
                pt = self._pt | 0x80 if pkt.marker else self._pt
                data = _HEADER.pack(self._b0, pt, out_seq, out_ts, self._ssrc) + self._ext + payload
            if self.sink.send(data):
                self.stats.packets_retransmitted += 1
                COUNTERS.nacks_answered += 1

    def on_keyframe_request(self) -> None:
        """PLI or FIR from the subscriber: ask the publisher (throttled there)."""
        self.stats.keyframe_requests_received += 1
        if self.source is not None:
            self.source.request_keyframe()

    def on_receiver_report(
        self, fraction_lost: int, jitter: int, lsr: int, dlsr: int, highest_seq: int | None = None, lost: int = 0
    ) -> None:
        self.stats.fraction_lost = fraction_lost / 256
        if highest_seq is not None:
            self.stats.rr_highest_seq, self.stats.rr_packets_lost = highest_seq, lost
        self.stats.jitter = jitter
        sent_at = self.stats.sr_sent_at.get(lsr)
        if sent_at is not None and dlsr:
            self.stats.rtt = max(0.0, self.clock() - sent_at - dlsr / 65536)

    def on_remb(self, bitrate: int) -> None:
        self.stats.remb_bps = bitrate

    def sender_report(self) -> tuple[int, int, int, int] | None:
        """(NTP, RTP, packets, octets) for an RTCP SR now, or None before the first packet."""
        rw = self.rewriter
        if not rw.started or rw.last_out_time is None:
            return None
        now = self.clock()
        source = self.source
        if source is not None and source.sender_clock is not None:
            ntp, rtp = translate(source.sender_clock, self.clock_rate, rw.ts_offset, now)
        else:
            ntp = ntp_from_unix(time.time())
            rtp = extrapolate(rw.last_out_ts, rw.last_out_time, self.clock_rate, now)
        history = self.stats.sr_sent_at
        history[(ntp >> 16) & 0xFFFFFFFF] = now
        while len(history) > _RTT_HISTORY:
            del history[next(iter(history))]
        return ntp, rtp, self.stats.packets_sent, self.stats.octets_sent


class UpTrack:
    """A publisher's track as received: classified once, cached, fanned out."""

    def __init__(
        self,
        track_id: str,
        codec: CodecSpec,
        send_keyframe_request: Callable[[], None],
        schedule: Scheduler,
        clock: Callable[[], float] = time.monotonic,
        cache_packets: int | None = None,
        fanout: FanoutScheduler | None = None,
    ):
        """`fanout` forwards large fan-outs in slices that let ingress in (None: all at once)."""
        self.track_id = track_id
        self._scheduler = fanout
        self.codec = codec
        self.kind = codec.kind
        self._is_start = start_predicate(codec.mime_type)
        video = self.kind == "video"
        self.cache: PacketCache[ForwardPacket] = PacketCache(
            cache_packets or (VIDEO_CACHE_PACKETS if video else AUDIO_CACHE_PACKETS)
        )
        self.keyframes = KeyframeRequester(send_keyframe_request, clock, schedule) if video else None
        self.sender_clock: SenderClock | None = None
        self._fanout: tuple[DownTrack, ...] = ()
        self._taps: tuple[PacketTap, ...] = ()
        self.failed_downtracks = 0
        self.octets = 0  # payload bytes received: the layer's bit rate, measured

    @property
    def downtracks(self) -> tuple[DownTrack, ...]:
        return self._fanout

    def attach(self, downtrack: DownTrack) -> None:
        if downtrack not in self._fanout:
            self._fanout = self._fanout + (downtrack,)

    def detach(self, downtrack: DownTrack) -> None:
        self._fanout = tuple(d for d in self._fanout if d is not downtrack)

    @property
    def taps(self) -> tuple[PacketTap, ...]:
        return self._taps

    def add_tap(self, tap: PacketTap) -> None:
        """Hand `tap` every packet from now on (a key frame is asked for, to start at)."""
        if tap not in self._taps:
            self._taps = self._taps + (tap,)
            self.request_keyframe()

    def remove_tap(self, tap: PacketTap) -> None:
        self._taps = tuple(t for t in self._taps if t is not tap)

    def on_packet(self, seq: int, ts: int, marker: bool, payload: bytes, now: float) -> None:
        start = self._is_start(payload)
        pkt = ForwardPacket(seq, ts, marker, payload, start, now)
        self.cache.put(pkt)
        self.octets += len(payload)
        COUNTERS.received_packets += 1
        COUNTERS.received_bytes += len(payload)
        if start and self.keyframes is not None:
            self.keyframes.keyframe_received()
        # The subscribers as the packet arrived: a tap that moves a stream onto this track (a
        # layer switch at this key frame) forwards the packet to it itself.
        fanout = self._fanout
        # Taps first: a tap that hands the packet to another worker lets it fan out meanwhile.
        for tap in self._taps:
            try:
                tap.on_packet(pkt)
            except Exception:
                logger.exception("dropping a packet tap of track %s after an error", self.track_id)
                self.remove_tap(tap)
        if self._scheduler is None:
            self._forward(pkt, fanout, 0, len(fanout))
        else:
            self._scheduler.submit(self._forward, pkt, fanout)

    def _forward(self, pkt: ForwardPacket, downtracks: Sequence[DownTrack], start: int, stop: int) -> None:
        for i in range(start, stop):
            downtrack = downtracks[i]
            if downtrack.source is not self:
                continue  # moved to another source (or closed) while this packet waited
            try:
                downtrack.forward(pkt)
            except Exception:
                # One broken subscriber stream must not take down the others.
                logger.exception("dropping a subscriber stream of track %s after an error", self.track_id)
                self.failed_downtracks += 1
                downtrack.close()

    def on_sender_report(self, ntp: int, rtp: int, now: float) -> None:
        self.sender_clock = SenderClock(ntp, rtp, now)

    def request_keyframe(self) -> None:
        if self.keyframes is not None:
            self.keyframes.request()

    def close(self) -> None:
        for downtrack in self._fanout:
            downtrack.bind(None)
        self._fanout = ()
        taps, self._taps = self._taps, ()
        for tap in taps:
            tap.on_source_closed()
