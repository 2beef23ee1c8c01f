"""Which layer of each video a subscriber receives: pure selection, no I/O (docs/relay.md).

A layered camera reaches the relay as up to three tracks (high, medium, low). Per subscriber,
the relay shares the subscriber's bandwidth estimate out by priority (audio, then the screen
share, the floor holder's camera, the lecturer's camera, the other cameras), then gives each
video the highest layer that fits both its share and the size the page displays it at.

The estimate is a floor, not a ceiling (classroom/relay/bandwidth.py): until something is
measured every camera starts at its lowest layer; a layer goes down only when loss says the
link is congested, and then at once; a video is paused for bandwidth only when loss persists
with every camera at its lowest layer (audio and slides keep priority). Going up happens on
the estimate only after it stayed above the target's bit rate with a margin for a while
(hysteresis), or by a probe: one track, one layer beyond the estimate, which the link then
confirms or refuses with its loss. The switch itself waits for a key frame of the target
layer (classroom/relay/adaptation.py).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Hashable, Literal, Mapping, Sequence

Quality = Literal["low", "medium", "high"]
LayerState = Literal["low", "medium", "high", "paused"]
LinkLevel = Literal["good", "fair", "poor"]

QUALITIES: tuple[Quality, ...] = ("low", "medium", "high")  # ascending
RANK: dict[str, int] = {"paused": -1, "low": 0, "medium": 1, "high": 2}
# What a browser sends for each layer (simulcast contract: maxBitrate per encoding), used
# until the relay has measured the layer itself.
NOMINAL_BPS: dict[Quality, int] = {"high": 1_500_000, "medium": 500_000, "low": 150_000}
# Displayed height each layer serves (720p camera scaled down by 1, 2 and 4).
NOMINAL_HEIGHT: dict[Quality, int] = {"high": 720, "medium": 360, "low": 180}
AUDIO_BPS = 48_000
SCREEN_BPS = 1_200_000
# Up only after the estimate stayed above the target's bit rate × UP_MARGIN for UP_HOLD_S.
UP_MARGIN = 1.2
UP_HOLD_S = 2.0
# An up switch undone within UP_FAILED_S doubles the track's hold (up to MAX_HOLD_S); one that
# lasted UP_KEPT_S brings it back to UP_HOLD_S. A link at its limit then probes rarely.
UP_FAILED_S = 5.0
UP_KEPT_S = 5.0
MAX_HOLD_S = 16.0
# Slides sent as key frames only need about this share of the screen share's bit rate.
KEYFRAMES_ONLY_SHARE = 0.2
FAIR_LOSS = 0.02
POOR_LOSS = 0.10


class Priority(enum.IntEnum):
    """Who gets the bandwidth first (lower first)."""

    AUDIO = 0
    SCREEN = 1
    FLOOR = 2
    LECTURER = 3
    OTHER = 4


@dataclass(frozen=True)
class Demand:
    """One track a subscriber receives, as selection sees it."""

    key: Hashable
    priority: Priority
    layers: Mapping[
        Quality, int
    ]  # available layers → bit rate (bps); one "high" entry if single-layer
    tile: tuple[int, int] | None = None  # displayed size in device pixels; None: full size
    source_height: int | None = None  # the high layer's height, when known

    @property
    def is_video(self) -> bool:
        return self.priority is not Priority.AUDIO

    @property
    def is_screen(self) -> bool:
        return self.priority is Priority.SCREEN


@dataclass(frozen=True)
class Choice:
    layer: LayerState
    keyframes_only: bool = False  # slides on change only (save data, or no room for them)
    reduced: bool = False  # lower than the tile asks for, because of the connection


@dataclass
class TrackState:
    """What selection remembers of one track between runs (hysteresis)."""

    layer: LayerState = "paused"
    limited: bool = False  # the last choice was lower than wanted because of the bandwidth
    up_target: LayerState | None = None
    up_since: float = 0.0
    hold: float = UP_HOLD_S  # how long the estimate must carry a higher layer (backs off)
    went_up_at: float | None = None


@dataclass
class Selection:
    choices: dict[Hashable, Choice] = field(default_factory=dict)
    quality: LinkLevel = "good"
    probed: Hashable | None = None  # the track that went up one layer beyond the estimate

    @property
    def reduced(self) -> bool:
        return any(c.reduced for c in self.choices.values())


def tile_cap(demand: Demand) -> LayerState:
    """The layer the tile size asks for: hidden → paused, small tile → a lower layer."""
    available = [q for q in QUALITIES if q in demand.layers]
    if not available:
        return "paused"
    if demand.tile is None:
        return available[-1]
    width, height = demand.tile
    if width <= 0 or height <= 0:
        return "paused"
    scale = (demand.source_height or NOMINAL_HEIGHT["high"]) / NOMINAL_HEIGHT["high"]
    for quality in available:
        # The smallest layer that is not visibly smaller than the tile (a tenth of slack).
        if NOMINAL_HEIGHT[quality] * scale >= height * 0.9:
            return quality
    return available[-1]


def select(
    demands: Sequence[Demand],
    states: dict[Hashable, TrackState],
    estimate_bps: int | None,
    now: float,
    *,
    save_data: bool = False,
    loss: float = 0.0,
    congested: bool = False,
    starved: bool = False,
    probe: bool = False,
) -> Selection:
    """Pick a layer per track; updates `states` (hysteresis).

    `estimate_bps` None: nothing measured yet, so every video starts at its lowest layer the
    tile asks for. Otherwise the estimate is a floor (classroom/relay/bandwidth.py): a layer
    goes down only when the link is `congested` (loss), a video is paused for bandwidth only
    when the link is `starved` (congested even at the lowest layers), and `probe` lets one
    track, the first in priority order that is below what its tile asks for, go up one layer
    beyond the estimate (`Selection.probed`)."""
    budget = float("inf") if estimate_bps is None else float(estimate_bps)
    selection = Selection()
    for demand in sorted(demands, key=lambda d: (d.priority, str(d.key))):
        state = states.setdefault(demand.key, TrackState())
        if not demand.is_video:
            rate = demand.layers.get("high", AUDIO_BPS)
            budget -= rate
            selection.choices[demand.key] = Choice("high")
            state.layer = "high"
            continue
        link = _Link(estimate_bps is None, congested, starved, probe and selection.probed is None)
        choice, used, probed = _choose(demand, state, budget, link, now, save_data)
        if probed:
            selection.probed = demand.key
        budget -= used
        selection.choices[demand.key] = choice
    selection.quality = link_level(loss, selection)
    return selection


@dataclass(frozen=True)
class _Link:
    unmeasured: bool
    congested: bool
    starved: bool
    probe: bool


def _choose(
    demand: Demand, state: TrackState, budget: float, link: _Link, now: float, save_data: bool
) -> tuple[Choice, float, bool]:
    """The choice for one video, the bit rate it uses, and whether it took the probe."""
    cap = tile_cap(demand)
    if cap == "paused":
        state.layer, state.up_target, state.limited = "paused", None, False
        return Choice("paused"), 0.0, False
    if demand.is_screen:
        return _choose_slides(demand, state, budget, link, save_data)
    wanted = [q for q in QUALITIES if q in demand.layers and RANK[q] <= RANK[cap]]
    if save_data:
        wanted = wanted[:1]
    current = state.layer
    if current != "paused" and current not in wanted:
        # The tile shrank or the layer was unpublished: the nearest layer below it that is
        # wanted (else the lowest), at once and without a hold.
        lower = [q for q in wanted if RANK[q] <= RANK[current]]
        current = lower[-1] if lower else wanted[0]
        state.layer, state.up_target = current, None  # what the helpers below take as current
    probed = False
    if link.unmeasured:
        best: LayerState = wanted[0]  # start low
        state.up_target = None
    else:
        fits = [q for q in wanted if demand.layers[q] <= budget]
        best = fits[-1] if fits else "paused" if link.starved else wanted[0]
        if RANK[best] < RANK[current] and current != "paused" and not link.congested:
            best = current  # without loss, the estimate is no reason to go down
        if current == "paused" and state.limited and not link.starved:
            best = "paused"  # paused for lack of bandwidth: back only by a probe
        if RANK[best] > RANK[current] and current != "paused":
            best = _hold_up(demand, state, fits, best, budget, now)
        else:
            state.up_target = None
        above = [q for q in wanted if RANK[q] > RANK[best]]
        if link.probe and above and not link.congested and state.limited:
            best, probed, state.up_target = above[0], True, None
    if best != "paused" and best not in demand.layers:
        best = current  # never a layer that is no longer published
    _back_off(state, best, now)
    state.layer = best
    limit: LayerState = wanted[-1] if save_data else cap
    reduced = RANK[best] < RANK[limit] and not link.unmeasured
    state.limited = RANK[best] < RANK[limit]
    used = float(demand.layers[best]) if best != "paused" else 0.0  # type: ignore[index]
    return Choice(best, reduced=reduced), used, probed


def _hold_up(
    demand: Demand,
    state: TrackState,
    fits: list[Quality],
    best: LayerState,
    budget: float,
    now: float,
) -> LayerState:
    """Up on the estimate: at once when the last choice was not cut for bandwidth (a tile grew),
    else only after the estimate carried the target with a margin for the track's hold."""
    current = state.layer
    margin_fits = [q for q in fits if demand.layers[q] * UP_MARGIN <= budget]
    target: LayerState = margin_fits[-1] if margin_fits else current
    if RANK[target] <= RANK[current]:
        state.up_target = None
        return current
    if not state.limited:
        state.up_target = None
        return target
    if state.up_target != target:
        state.up_target, state.up_since = target, now
        return current
    if now - state.up_since < state.hold:
        return current
    state.up_target = None
    return target


def _choose_slides(
    demand: Demand, state: TrackState, budget: float, link: _Link, save_data: bool
) -> tuple[Choice, float, bool]:
    """Slides go key frame by key frame on save-data, or when a congested link has no room for
    them; back to every frame when the estimate carries them or a probe tries it."""
    rate = demand.layers.get("high", SCREEN_BPS)
    state.layer, state.up_target = "high", None
    if save_data:
        state.limited = False
        return Choice("high", keyframes_only=True), rate * KEYFRAMES_ONLY_SHARE, False
    if state.limited:
        if link.probe or (not link.unmeasured and rate * UP_MARGIN <= budget):
            state.limited = False
            return Choice("high"), rate, link.probe
    elif link.congested and rate > budget:
        state.limited = True
    if state.limited:
        return Choice("high", keyframes_only=True, reduced=True), rate * KEYFRAMES_ONLY_SHARE, False
    return Choice("high"), rate, False


def _back_off(state: TrackState, best: LayerState, now: float) -> None:
    """Remember up switches: one undone quickly makes the next wait twice as long."""
    current = state.layer
    if RANK[best] > RANK[current]:
        state.went_up_at = now if state.limited else None  # a try at more bandwidth
    elif RANK[best] < RANK[current]:
        if state.went_up_at is not None and now - state.went_up_at < UP_FAILED_S:
            state.hold = min(state.hold * 2, MAX_HOLD_S)
        state.went_up_at = None
    elif state.went_up_at is not None and now - state.went_up_at >= UP_KEPT_S:
        state.hold, state.went_up_at = UP_HOLD_S, None


def link_level(loss: float, selection: Selection) -> LinkLevel:
    """A calm summary of the link for the subscriber's and the lecturer's pages: loss, and
    whether the connection held a picture back (the estimate is only a floor: no reason)."""
    if loss >= POOR_LOSS or any(
        c.reduced and c.layer == "paused" for c in selection.choices.values()
    ):
        return "poor"
    if loss >= FAIR_LOSS or selection.reduced:
        return "fair"
    return "good"
