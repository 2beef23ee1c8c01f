"""One subscriber's adaptation: which layer feeds each of its down tracks, and when to switch.

`SubscriberLayers` runs the pure selection (classroom/relay/layers.py) on the subscriber's
bandwidth estimate (classroom/relay/bandwidth.py) and tile sizes, and carries the choice out
on its `DownTrack`s: a switch to another layer waits for a key frame **of that layer** (it
asks the layer's publisher for one) while the current layer keeps flowing, then rebinds the
down track, whose rewriters keep sequence numbers, timestamps and VP8 picture IDs continuous.
A paused track (hidden tile, or a link starved even at the lowest layers) is unbound at
once. Each tick feeds the link estimate with the subscriber's REMB, the loss counted from its
receiver reports (every stream, audio included) and what the relay sends it, starts a probe
when the link allows one, and times the probe from the moment its switch lands. Nothing here
imports aiortc; the peer calls `tick` periodically.
"""

from __future__ import annotations

import logging

from dataclasses import dataclass, field
from typing import Callable, Hashable, Mapping, cast

from classroom.relay.bandwidth import LinkEstimate
from classroom.relay.counters import COUNTERS
from classroom.relay.forwarding import DownTrack, ForwardPacket, UpTrack
from classroom.relay.layers import (
    AUDIO_BPS,
    NOMINAL_BPS,
    RANK,
    SCREEN_BPS,
    Demand,
    LayerState,
    LinkLevel,
    QUALITIES,
    Priority,
    Quality,
    Selection,
    TrackState,
    select,
)

Key = tuple[str, str]  # (publisher id, the high track's id)
# Slides forwarded key frame by key frame get a fresh key frame at least this often.
SLIDE_REFRESH_S = 10.0
# A video is paused for bandwidth only after the link stayed congested this long while every
# camera was already at its lowest layer (loss proves the link cannot carry even that).
STARVED_S = 6.0
# Per packet on the wire beyond the RTP payload: RTP header, SRTP tag, UDP and IPv4 headers.
PACKET_OVERHEAD = 12 + 10 + 8 + 20
_RATE_SMOOTHING = 0.5


logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkReport:
    """What the subscriber and its lecturers are told about its link."""

    quality: LinkLevel
    reduced: bool
    estimate_kbps: int | None
    tracks: tuple[tuple[Key, LayerState], ...]  # video tracks only
    camera: LayerState | None = None  # the best layer of any camera received (None: no camera)


class _Switch:
    """Waits on the target layer for a key frame, then moves the down track onto it."""

    def __init__(self, owner: "_Subscription", target: UpTrack):
        self.owner = owner
        self.target = target

    def on_packet(self, pkt: ForwardPacket) -> None:
        if not pkt.start:
            return
        self.cancel()
        owner = self.owner
        owner.pending = None
        downtrack = owner.downtrack
        downtrack.bind(self.target, request_keyframe=False)
        downtrack.forward(pkt)

    def on_source_closed(self) -> None:
        if self.owner.pending is self:
            self.owner.pending = None

    def cancel(self) -> None:
        self.target.remove_tap(self)


@dataclass
class _Rate:
    octets: int = 0
    at: float = 0.0
    bps: float = 0.0


class _SentRate:
    """What the relay sends one subscriber, in bits per second on the wire, smoothed."""

    def __init__(self) -> None:
        self._last: int | None = None
        self._at = 0.0
        self.bps = 0.0

    def update(self, downtracks: list[DownTrack], now: float) -> float:
        octets = sum(
            d.stats.octets_sent + d.stats.packets_sent * PACKET_OVERHEAD for d in downtracks
        )
        if self._last is None or octets < self._last:
            self._last, self._at = octets, now  # a down track went away: start again
        elif now - self._at >= 0.25:
            bps = (octets - self._last) * 8 / (now - self._at)
            self.bps = (
                bps if self.bps == 0 else self.bps * (1 - _RATE_SMOOTHING) + bps * _RATE_SMOOTHING
            )
            self._last, self._at = octets, now
        return self.bps


@dataclass
class _Subscription:
    key: Key
    downtrack: DownTrack
    layers: dict[Quality, UpTrack]
    priority: Priority
    tile: tuple[int, int] | None = None
    state: TrackState = field(default_factory=TrackState)
    layer: LayerState = "high"  # what the down track is bound to (or switching to)
    pending: _Switch | None = None
    refreshed_at: float = 0.0

    def uptrack(self, layer: LayerState) -> UpTrack | None:
        return self.layers.get(layer) if layer != "paused" else None  # type: ignore[call-overload, no-any-return]


class SubscriberLayers:
    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.estimate = LinkEstimate()
        self.save_data = False
        self._subs: dict[Key, _Subscription] = {}
        self._tiles: dict[str, tuple[int, int]] = {}  # by the high track's id
        self._rates: dict[int, _Rate] = {}  # by id() of an UpTrack
        self._sent = _SentRate()
        self._reports: dict[
            int, tuple[int, int]
        ] = {}  # by id() of a DownTrack: (highest seq, lost)
        self._probe: Key | None = None  # the track a probe moved up, until its switch lands
        self._starving_since: float | None = None
        self.last: Selection | None = None

    # ---- what the class tells us ----------------------------------------------------------

    def adapt(
        self, key: Key, downtrack: DownTrack, layers: Mapping[Quality, UpTrack], priority: Priority
    ) -> None:
        """The down track `key` carries a source with these layers (a single layer: {"high": up})."""
        sub = self._subs.get(key)
        if sub is None:
            current: LayerState = next(
                (q for q, up in layers.items() if up is downtrack.source), "high"
            )
            sub = _Subscription(
                key, downtrack, dict(layers), priority, self._tiles.get(key[1]), layer=current
            )
            self._subs[key] = sub
        else:
            sub.downtrack, sub.layers, sub.priority = downtrack, dict(layers), priority
            if sub.layer != "paused" and sub.layer not in sub.layers:
                self._bind_now(sub, "high")
        try:
            self.tick()
        except Exception:  # a selection bug must not fail the class's call (the next tick retries)
            logger.exception("layer selection after a change of %s failed", key)

    def moved(self, key: Key, downtrack: DownTrack) -> None:
        """The connection started afresh: `key` is now carried by a new down track."""
        sub = self._subs.get(key)
        if sub is not None:
            if sub.pending is not None:
                sub.pending.cancel()
                sub.pending = None
            sub.downtrack = downtrack
            sub.layer = next(
                (q for q, up in sub.layers.items() if up is downtrack.source), "paused"
            )

    def remove(self, key: Key) -> None:
        sub = self._subs.pop(key, None)
        if sub is not None and sub.pending is not None:
            sub.pending.cancel()

    def set_tiles(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        """Displayed sizes by track id; a track left out is shown at full size."""
        self._tiles = dict(tiles)
        for sub in self._subs.values():
            sub.tile = self._tiles.get(sub.key[1])
        self.tick()

    def set_save_data(self, on: bool) -> None:
        if on != self.save_data:
            self.save_data = on
            self.tick()

    def knows(self, key: Key) -> bool:
        return key in self._subs

    def source_of(self, key: Key) -> UpTrack | None:
        """The layer chosen for `key` (what a restarted connection binds its new stream to)."""
        sub = self._subs.get(key)
        return sub.uptrack(sub.layer) if sub is not None else None

    # ---- periodic -------------------------------------------------------------------------

    def tick(self) -> LinkReport:
        now = self.clock()
        downtracks = [s.downtrack for s in self._subs.values()]
        self._receiver_reports(downtracks, now)
        rembs = [d.stats.remb_bps for d in downtracks if d.stats.remb_bps is not None]
        self.estimate.update(max(rembs) if rembs else None, self._sent.update(downtracks, now), now)
        estimate = self.estimate.estimate(now)
        demands = [self._demand(sub, now) for sub in self._subs.values()]
        if len(self._rates) > 4 * len(demands) + 8:  # forget layers that were unpublished
            live = {id(up) for sub in self._subs.values() for up in sub.layers.values()}
            self._rates = {k: v for k, v in self._rates.items() if k in live}
        states: dict[Hashable, TrackState] = {sub.key: sub.state for sub in self._subs.values()}
        probing = self._probe_running(now)
        selection = select(
            demands,
            states,
            estimate,
            now,
            save_data=self.save_data,
            loss=self.estimate.loss,
            congested=self.estimate.congested,
            starved=self._starved(now),
            probe=not probing and self.estimate.may_probe(now),
        )
        if selection.probed is not None:
            self._probe = cast(Key, selection.probed)
            self.estimate.probe_started(now)
        self.last = selection
        for sub in self._subs.values():
            choice = selection.choices.get(sub.key)
            if choice is None:
                continue
            self._apply(sub, choice.layer, now)
            self._slides(sub, choice.keyframes_only, now)
        cameras = [
            s.state.layer
            for s in self._subs.values()
            if s.priority not in (Priority.AUDIO, Priority.SCREEN)
        ]
        camera: LayerState | None = None
        for layer in cameras:
            if camera is None or RANK[layer] > RANK[camera]:
                camera = layer
        return LinkReport(
            camera=camera,
            quality=selection.quality,
            reduced=selection.reduced,
            estimate_kbps=estimate // 1000 if estimate else None,
            tracks=tuple(
                (sub.key, sub.state.layer)
                for sub in self._subs.values()
                if sub.priority is not Priority.AUDIO
            ),
        )

    def _receiver_reports(self, downtracks: list[DownTrack], now: float) -> None:
        """Packets lost and expected since the last tick, from every stream's receiver reports
        (audio included: a paused video reports nothing)."""
        lost = expected = 0
        seen: dict[int, tuple[int, int]] = {}
        for downtrack in downtracks:
            stats = downtrack.stats
            if stats.rr_highest_seq is None:
                continue
            counts = (stats.rr_highest_seq, stats.rr_packets_lost)
            before = self._reports.get(id(downtrack))
            seen[id(downtrack)] = counts
            if before is None:
                continue
            more = counts[0] - before[0]
            if 0 < more < 1 << 15:  # a restarted stream or a reordered report: skip it
                expected += more
                lost += max(0, counts[1] - before[1])
        self._reports = seen
        if expected:
            self.estimate.report_loss(lost, expected, now)

    def _probe_running(self, now: float) -> bool:
        """A probe's up switch still waiting for its key frame: its window starts when it lands."""
        if self._probe is None:
            return False
        sub = self._subs.get(self._probe)
        if sub is not None and sub.pending is not None and self.estimate.probing:
            return True
        self._probe = None
        if self.estimate.probing:
            self.estimate.probe_started(now)
        return False

    def _starved(self, now: float) -> bool:
        """Congested for STARVED_S with every camera already at its lowest layer (or paused)."""
        floor = all(
            sub.state.layer in ("paused", next(q for q in QUALITIES if q in sub.layers))
            for sub in self._subs.values()
            if sub.priority not in (Priority.AUDIO, Priority.SCREEN) and sub.layers
        )
        if not (floor and self.estimate.congested):
            self._starving_since = None
            return False
        if self._starving_since is None:
            self._starving_since = now
        return now - self._starving_since >= STARVED_S

    def _demand(self, sub: _Subscription, now: float) -> Demand:
        if sub.priority is Priority.AUDIO:
            return Demand(sub.key, sub.priority, {"high": AUDIO_BPS})
        rates: dict[Quality, int] = {}
        for quality, up in sub.layers.items():
            nominal = SCREEN_BPS if sub.priority is Priority.SCREEN else NOMINAL_BPS[quality]
            measured = self._rate(up, now)
            rates[quality] = int(measured) if measured > nominal * 0.2 else nominal
        return Demand(sub.key, sub.priority, rates, tile=sub.tile)

    def _rate(self, up: UpTrack, now: float) -> float:
        """The layer's received bit rate, smoothed (0 while it is paused or unmeasured)."""
        rate = self._rates.get(id(up))
        if rate is None:
            self._rates[id(up)] = _Rate(up.octets, now)
            return 0.0
        if now - rate.at >= 0.25:
            bps = (up.octets - rate.octets) * 8 / (now - rate.at)
            rate.bps = (
                bps if rate.bps == 0 else rate.bps * (1 - _RATE_SMOOTHING) + bps * _RATE_SMOOTHING
            )
            rate.octets, rate.at = up.octets, now
        return rate.bps

    # ---- carrying a choice out --------------------------------------------------------------

    def _apply(self, sub: _Subscription, layer: LayerState, now: float) -> None:
        if layer == sub.layer:
            if sub.pending is not None:  # still waiting: ask again (a PLI may have been lost)
                sub.pending.target.request_keyframe()
            return
        down = RANK[layer] < RANK[sub.layer]
        COUNTERS.layer_switches_down += down
        COUNTERS.layer_switches_up += not down
        if sub.pending is not None:
            sub.pending.cancel()
            sub.pending = None
        target = sub.uptrack(layer)
        sub.layer = layer
        if target is None:
            sub.downtrack.bind(None)  # paused: nothing more goes out
            return
        if sub.downtrack.source is target:
            return
        if sub.downtrack.source is None or not sub.downtrack.rewriter.started:
            self._bind_now(sub, layer)  # nothing on screen to keep: start the new layer directly
            return
        # Keep the current layer flowing until the target's key frame arrives (add_tap asks
        # the target's publisher for one).
        sub.pending = _Switch(sub, target)
        target.add_tap(sub.pending)

    def _bind_now(self, sub: _Subscription, layer: LayerState) -> None:
        sub.layer = layer
        sub.downtrack.bind(sub.uptrack(layer))

    def _slides(self, sub: _Subscription, keyframes_only: bool, now: float) -> None:
        downtrack = sub.downtrack
        if keyframes_only != downtrack.keyframes_only:
            downtrack.keyframes_only = keyframes_only
            sub.refreshed_at = now
            if not keyframes_only and downtrack.source is not None:
                downtrack.source.request_keyframe()  # back to every frame: from a key frame
        elif (
            keyframes_only
            and now - sub.refreshed_at >= SLIDE_REFRESH_S
            and downtrack.source is not None
        ):
            sub.refreshed_at = now
            downtrack.source.request_keyframe()

    # ---- what the relay reports ---------------------------------------------------------------

    def layer_counts(self) -> dict[LayerState, int]:
        counts: dict[LayerState, int] = {"high": 0, "medium": 0, "low": 0, "paused": 0}
        for sub in self._subs.values():
            if sub.priority is not Priority.AUDIO and len(sub.layers) > 1:
                counts[sub.state.layer] += 1
        return counts

    def close(self) -> None:
        for key in list(self._subs):
            self.remove(key)
