"""The home side of a sharded class: published tracks exported to shards, subscribers placed.

A `TrackExport` is a packet tap on one published `UpTrack`: it encodes each packet **once**
and hands the same datagram to every shard that hosts a subscriber of the track, with the
publisher's sender reports in order before the packets they precede. A shard's key frame
requests come back to the `UpTrack`, which throttles them with everyone else's.

`Placement` decides where a subscriber's receive connection lives: at home while the track
it first subscribes to has fewer subscribers than the threshold (a small class keeps the
single-process path), otherwise on the least loaded of home and the live shards.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field
from typing import Callable, Protocol

from classroom.relay.forwarding import DownTrack, ForwardPacket, UpTrack
from classroom.relay.sender_reports import SenderClock
from classroom.relay.shards.counters import SHARDS
from classroom.relay.shards.wire import (
    Continuity,
    Control,
    KeyframeRequest,
    SenderReport,
    TrackClosed,
    TrackOpen,
    encode_control,
    encode_packet,
)

logger = logging.getLogger(__name__)


class ShardLink(Protocol):
    """One channel to one shard (ordered; media may be dropped, control never is)."""

    name: str

    def send_media(self, datagram: bytes) -> bool:
        """Send now or drop (never wait): False when the shard is not keeping up."""
        ...

    def send_control(self, datagram: bytes) -> None:
        """Send in order with the media, queueing if the channel is full."""
        ...


@dataclass
class ShardStats:
    """Per shard, at home: what was handed over and what the channel refused."""

    packets: int = 0
    dropped: int = 0


class TrackExport:
    """A tap on one published track that hands each packet once to each shard that needs it."""

    def __init__(self, number: int, uptrack: UpTrack, on_closed: Callable[[TrackExport], None]):
        self.number = number
        self.uptrack = uptrack
        self._on_closed = on_closed
        self.links: dict[ShardLink, int] = {}  # shard → its subscribers of this track
        self._targets: tuple[ShardLink, ...] = ()
        self._clock: SenderClock | None = None
        self.stats: dict[str, ShardStats] = {}

    def open_message(self) -> TrackOpen:
        codec = self.uptrack.codec
        return TrackOpen(
            track=self.number,
            track_id=self.uptrack.track_id,
            mime_type=codec.mime_type,
            clock_rate=codec.clock_rate,
            channels=codec.channels,
            parameters=codec.parameters,
        )

    def add(self, link: ShardLink) -> None:
        """One more subscriber of this track on `link` (the first announces the track there)."""
        count = self.links.get(link, 0)
        self.links[link] = count + 1
        if count == 0:
            link.send_control(encode_control(self.open_message()))
            if self._clock is not None:
                link.send_control(encode_control(self._report(self._clock)))
            self._targets = tuple(self.links)
            self.stats.setdefault(link.name, ShardStats())
            self.uptrack.request_keyframe()  # the shard's new subscriber starts at one

    def remove(self, link: ShardLink, *, lost: bool = False) -> None:
        """One subscriber fewer on `link` (all of them when the shard is lost)."""
        count = self.links.get(link, 0) - 1
        if count > 0 and not lost:
            self.links[link] = count
            return
        if self.links.pop(link, None) is not None and not lost:
            link.send_control(encode_control(TrackClosed(track=self.number)))
        self._targets = tuple(self.links)

    @property
    def subscribers(self) -> int:
        return sum(self.links.values())

    def _report(self, clock: SenderClock) -> SenderReport:
        return SenderReport(track=self.number, ntp=clock.ntp, rtp=clock.rtp, arrival=clock.received_at)

    # ---- PacketTap --------------------------------------------------------------------------------

    def on_packet(self, pkt: ForwardPacket) -> None:
        clock = self.uptrack.sender_clock
        if clock is not self._clock and clock is not None:
            self._clock = clock
            report = encode_control(self._report(clock))
            for link in self._targets:
                link.send_control(report)
        data = encode_packet(self.number, pkt.seq, pkt.ts, pkt.marker, pkt.start, pkt.arrival, pkt.payload)
        for link in self._targets:
            stats = self.stats[link.name]
            if link.send_media(data):
                stats.packets += 1
                SHARDS.shard_packets_sent += 1
            else:
                stats.dropped += 1
                SHARDS.shard_packets_dropped += 1

    def on_source_closed(self) -> None:
        closed = encode_control(TrackClosed(track=self.number))
        for link in self._targets:
            link.send_control(closed)
        self.links.clear()
        self._targets = ()
        self._on_closed(self)


class Exports:
    """Every exported track of this home worker, by number."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self.by_number: dict[int, TrackExport] = {}
        self._by_uptrack: dict[int, TrackExport] = {}  # id(uptrack) → its export

    def subscribe(self, link: ShardLink, uptrack: UpTrack) -> int:
        """Hand `uptrack` to `link` for one more subscriber there; the track's number."""
        export = self._by_uptrack.get(id(uptrack))
        if export is None:
            export = TrackExport(next(self._numbers), uptrack, self._forget)
            self.by_number[export.number] = export
            self._by_uptrack[id(uptrack)] = export
            uptrack.add_tap(export)
        export.add(link)
        return export.number

    def unsubscribe(self, link: ShardLink, number: int) -> None:
        export = self.by_number.get(number)
        if export is not None:
            export.remove(link)
            self._drop_if_unused(export)

    def remote_subscribers(self, uptrack: UpTrack) -> int:
        export = self._by_uptrack.get(id(uptrack))
        return export.subscribers if export is not None else 0

    def on_control(self, message: Control) -> None:
        """A shard's key frame request reaches the publisher through the track's throttle."""
        if isinstance(message, KeyframeRequest) and (export := self.by_number.get(message.track)) is not None:
            export.uptrack.request_keyframe()

    def link_lost(self, link: ShardLink) -> None:
        for export in list(self.by_number.values()):
            if link in export.links:
                export.remove(link, lost=True)
                self._drop_if_unused(export)

    def _drop_if_unused(self, export: TrackExport) -> None:
        if not export.links:
            export.uptrack.remove_tap(export)
            self._forget(export)

    def _forget(self, export: TrackExport) -> None:
        self.by_number.pop(export.number, None)
        if self._by_uptrack.get(id(export.uptrack)) is export:
            del self._by_uptrack[id(export.uptrack)]


def fanout(uptrack: UpTrack, exports: Exports) -> int:
    """Subscribers of `uptrack` here and on every shard."""
    return len(uptrack.downtracks) + exports.remote_subscribers(uptrack)


@dataclass
class Placement:
    """Where each subscriber's receive connection lives: home (None) or a shard."""

    threshold: int  # a track with fewer subscribers than this keeps them all at home
    home_load: int = 0
    loads: dict[ShardLink, int] = field(default_factory=dict)  # live shards → their subscribers

    def add_shard(self, link: ShardLink) -> None:
        self.loads.setdefault(link, 0)

    def place(self, subscribers: int) -> ShardLink | None:
        """A new subscriber of a track that has `subscribers` already: where it goes."""
        if subscribers < self.threshold or not self.loads:
            self.home_load += 1
            return None
        link = min(self.loads, key=lambda k: self.loads[k])
        if self.home_load < self.loads[link]:
            self.home_load += 1
            return None
        self.loads[link] += 1
        return link

    def release(self, link: ShardLink | None) -> None:
        if link is None:
            self.home_load = max(0, self.home_load - 1)
        elif link in self.loads:
            self.loads[link] = max(0, self.loads[link] - 1)

    def shard_lost(self, link: ShardLink) -> None:
        self.loads.pop(link, None)


def capture(downtrack: DownTrack) -> Continuity | None:
    """Where `downtrack`'s outgoing numbering stands, for a shard that takes the stream over."""
    rw = downtrack.rewriter
    if not rw.started:
        return None
    return Continuity(last_out_seq=rw.last_out_seq, last_out_ts=rw.last_out_ts, last_out_time=rw.last_out_time)


def continue_from(downtrack: DownTrack, continuity: Continuity) -> None:
    """Continue the numbering another shard's stream stopped at: the next packet follows it."""
    rw = downtrack.rewriter
    rw.last_out_seq = continuity.last_out_seq
    rw.last_out_ts = continuity.last_out_ts
    rw.last_out_time = continuity.last_out_time
    rw.started = False
