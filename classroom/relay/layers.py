"""Which layer of each video a subscriber receives: pure selection, no I/O (docs/relay.md).

A layered camera reaches the relay as up to three tracks (high, medium, low). Per subscriber,
the relay shares the subscriber's bandwidth estimate out by priority (audio, then the screen
share, the floor holder's camera, the lecturer's camera, the other cameras), then gives each
video the highest layer that fits both its share and the size the page displays it at. Going
down happens at once; going up only after the estimate stayed above the target's bit rate with
a margin for a while (hysteresis), so a link at the edge does not flap between two layers.
The switch itself waits for a key frame of the target layer (classroom/relay/adaptation.py).
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
POOR_BELOW_BPS = 250_000
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
    layers: Mapping[Quality, int]  # available layers → bit rate (bps); one "high" entry if single-layer
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
    headroom: float = 1.0,
) -> Selection:
    """Pick a layer per track; updates `states` (hysteresis). `estimate_bps` None: not yet
    measured, so only tile size and save-data limit the choice. `headroom` scales the budget
    when the estimate is known to understate the link (classroom/relay/adaptation.py)."""
    budget = float("inf") if estimate_bps is None else float(estimate_bps) * headroom
    selection = Selection()
    for demand in sorted(demands, key=lambda d: (d.priority, str(d.key))):
        state = states.setdefault(demand.key, TrackState())
        if not demand.is_video:
            rate = demand.layers.get("high", AUDIO_BPS)
            budget -= rate
            selection.choices[demand.key] = Choice("high")
            state.layer = "high"
            continue
        choice, used = _choose(demand, state, budget, estimate_bps is None, now, save_data, headroom > 1)
        budget -= used
        selection.choices[demand.key] = choice
    selection.quality = link_level(estimate_bps, loss, selection)
    return selection


def _choose(
    demand: Demand,
    state: TrackState,
    budget: float,
    unmeasured: bool,
    now: float,
    save_data: bool,
    probing: bool = False,
) -> tuple[Choice, float]:
    cap = tile_cap(demand)
    if cap == "paused":
        state.layer, state.up_target = "paused", None
        return Choice("paused"), 0.0
    if demand.is_screen:
        rate = demand.layers.get("high", SCREEN_BPS)
        if save_data or rate > budget:
            state.layer = "high"
            return Choice("high", keyframes_only=True, reduced=not save_data), rate * KEYFRAMES_ONLY_SHARE
        state.layer = "high"
        return Choice("high"), rate
    wanted = [q for q in QUALITIES if q in demand.layers and RANK[q] <= RANK[cap]]
    if save_data:
        wanted = wanted[:1]
    fits = [q for q in wanted if demand.layers[q] <= budget]
    best: LayerState = fits[-1] if fits else "paused"
    current = state.layer
    # A camera paused for lack of bandwidth while the estimate is only a lower bound (it can
    # grow no further than what arrives): try its lowest layer, with the same hold and back-off.
    resume = probing and current == "paused" and state.limited and bool(wanted)
    if (RANK[best] > RANK[current] or resume) and not unmeasured:
        # Up: the estimate must carry the target with a margin; after a cut for lack of
        # bandwidth, for UP_HOLD_S in a row.
        margin_fits = [q for q in fits if demand.layers[q] * UP_MARGIN <= budget]
        target: LayerState = margin_fits[-1] if margin_fits else wanted[0] if resume else current
        if RANK[target] <= RANK[current]:
            state.up_target = None
            best = current
        elif not state.limited:
            best = target
            state.up_target = None
        elif state.up_target != target:
            state.up_target, state.up_since = target, now
            best = current
        elif now - state.up_since < state.hold:
            best = current
        else:
            best = target
            state.up_target = None
    else:
        state.up_target = None
    _back_off(state, best, now)
    state.layer = best
    limit: LayerState = wanted[-1] if save_data and wanted else cap
    reduced = RANK[best] < RANK[limit]
    state.limited = reduced
    used = float(demand.layers[best]) if best != "paused" else 0.0  # type: ignore[index]
    return Choice(best, reduced=reduced), used


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


def link_level(estimate_bps: int | None, loss: float, selection: Selection) -> LinkLevel:
    """A calm summary of the link for the subscriber's and the lecturer's pages."""
    if loss >= POOR_LOSS or (estimate_bps is not None and estimate_bps < POOR_BELOW_BPS):
        return "poor"
    if any(c.reduced and c.layer == "paused" for c in selection.choices.values()):
        return "poor"
    if loss >= FAIR_LOSS or selection.reduced:
        return "fair"
    return "good"
