"""Layer selection (classroom/relay/layers.py): tile size, priorities, save-data, hysteresis."""

from __future__ import annotations

from classroom.relay.layers import (
    NOMINAL_BPS,
    UP_HOLD_S,
    UP_KEPT_S,
    Demand,
    Priority,
    TrackState,
    select,
    tile_cap,
)

CAMERA = dict(NOMINAL_BPS)  # high 1.5 Mbit/s, medium 500 kbit/s, low 150 kbit/s


def cam(
    key: str = "cam", priority: Priority = Priority.LECTURER, tile: tuple[int, int] | None = None
) -> Demand:
    return Demand(key, priority, CAMERA, tile=tile)  # type: ignore[arg-type]


AUDIO = Demand("mic", Priority.AUDIO, {"high": 48_000})
SCREEN = Demand("screen", Priority.SCREEN, {"high": 600_000})


def test_tile_size_caps_the_layer_and_a_hidden_tile_gets_nothing() -> None:
    assert tile_cap(cam(tile=None)) == "high"
    assert tile_cap(cam(tile=(0, 0))) == "paused"
    assert tile_cap(cam(tile=(320, 180))) == "low"
    assert tile_cap(cam(tile=(640, 360))) == "medium"
    assert tile_cap(cam(tile=(1280, 720))) == "high"
    assert tile_cap(cam(tile=(3840, 2160))) == "high"
    # a single-layer source has only its one layer to give
    assert tile_cap(Demand("x", Priority.OTHER, {"high": 1}, tile=(100, 50))) == "high"


def test_an_unmeasured_link_starts_every_camera_at_its_lowest_layer() -> None:
    states: dict = {}
    sel = select([cam(tile=(320, 180)), cam("big"), cam("hidden", tile=(0, 0))], states, None, 0.0)
    assert sel.choices["cam"].layer == "low" and sel.choices["big"].layer == "low"
    assert sel.choices["hidden"].layer == "paused"
    assert not sel.reduced and sel.quality == "good", "not yet a statement about the link"
    # a single-layer camera has only its one layer
    assert (
        select([Demand("one", Priority.OTHER, {"high": 400_000})], {}, None, 0.0)
        .choices["one"]
        .layer
        == "high"
    )


def test_priorities_share_the_estimate_audio_then_slides_then_floor_then_lecturer() -> None:
    states: dict = {}
    demands = [
        cam("lecturer", Priority.LECTURER),
        cam("floor", Priority.FLOOR),
        cam("other", Priority.OTHER),
        SCREEN,
        AUDIO,
    ]
    sel = select(demands, states, 900_000, 0.0, congested=True, starved=True)
    # 900 k − 48 k audio − 600 k slides = 252 k: the floor holder's camera gets the low layer first
    assert sel.choices["mic"].layer == "high" and sel.choices["screen"].layer == "high"
    assert not sel.choices["screen"].keyframes_only
    assert sel.choices["floor"].layer == "low"
    assert sel.choices["lecturer"].layer == "paused" and sel.choices["other"].layer == "paused"
    assert sel.reduced and sel.quality == "poor"


def test_a_camera_is_paused_for_bandwidth_only_when_loss_proves_the_link_starved() -> None:
    demands = [
        cam("lecturer", Priority.LECTURER),
        Demand("trainee", Priority.OTHER, {"high": 400_000}),
        AUDIO,
    ]
    for congested in (False, True):  # an estimate below every layer, with or without loss
        sel = select(demands, {}, 100_000, 0.0, congested=congested)
        assert sel.choices["lecturer"].layer == "low" and sel.choices["trainee"].layer == "high"
    sel = select(demands, {}, 100_000, 0.0, congested=True, starved=True)
    assert sel.choices["lecturer"].layer == "paused" and sel.choices["trainee"].layer == "paused"


def test_when_video_cannot_be_carried_audio_and_slides_at_a_low_rate_remain() -> None:
    sel = select([cam(), SCREEN, AUDIO], {}, 200_000, 0.0, congested=True, starved=True)
    assert sel.choices["mic"].layer == "high"
    assert sel.choices["screen"].layer == "high" and sel.choices["screen"].keyframes_only
    assert sel.choices["cam"].layer == "paused"
    assert sel.quality == "poor"


def test_save_data_takes_the_lowest_layer_and_slides_on_change_without_calling_it_reduced() -> None:
    sel = select([cam(), SCREEN, AUDIO], {}, None, 0.0, save_data=True)
    assert sel.choices["cam"].layer == "low"
    assert sel.choices["screen"].keyframes_only
    assert not sel.choices["cam"].reduced and not sel.choices["screen"].reduced


def test_down_at_once_up_only_after_the_estimate_held_with_a_margin() -> None:
    states: dict[object, TrackState] = {}
    assert select([cam()], states, 3_000_000, 0.0).choices["cam"].layer == "high"
    # a lower estimate without loss is no reason to go down (REMB is only a floor)
    assert select([cam()], states, 600_000, 0.2).choices["cam"].layer == "high"
    # the link is congested: down at once, to what fits
    assert select([cam()], states, 600_000, 0.5, congested=True).choices["cam"].layer == "medium"
    assert select([cam()], states, 200_000, 1.0, congested=True).choices["cam"].layer == "low"
    # it recovers to just above medium's bit rate: no margin, no switch
    assert select([cam()], states, 550_000, 1.5).choices["cam"].layer == "low"
    # with the margin (× 1.2), only after UP_HOLD_S in a row
    t = 2.0
    assert select([cam()], states, 700_000, t).choices["cam"].layer == "low"
    assert select([cam()], states, 700_000, t + UP_HOLD_S / 2).choices["cam"].layer == "low"
    assert select([cam()], states, 700_000, t + UP_HOLD_S).choices["cam"].layer == "medium"
    # a dip resets the wait
    assert select([cam()], states, 2_000_000, t + 3).choices["cam"].layer == "medium"
    assert select([cam()], states, 550_000, t + 4).choices["cam"].layer == "medium"
    assert select([cam()], states, 2_000_000, t + 4.5).choices["cam"].layer == "medium"
    assert select([cam()], states, 2_000_000, t + 4.5 + UP_HOLD_S).choices["cam"].layer == "high"


def test_a_tile_that_grows_goes_up_without_waiting_when_the_link_carries_it() -> None:
    states: dict = {}
    assert select([cam(tile=(320, 180))], states, 3_000_000, 0.0).choices["cam"].layer == "low"
    assert select([cam(tile=(1280, 720))], states, 3_000_000, 0.5).choices["cam"].layer == "high"


def test_reduced_means_because_of_the_connection_not_the_tile() -> None:
    assert not select([cam(tile=(320, 180))], {}, 200_000, 0.0).reduced
    assert select([cam()], {}, 200_000, 0.0).reduced


def test_loss_makes_the_link_fair_or_poor() -> None:
    assert select([cam()], {}, None, 0.0, loss=0.05).quality == "fair"
    assert select([cam()], {}, None, 0.0, loss=0.2).quality == "poor"


def test_an_up_switch_the_link_cannot_carry_makes_the_next_try_wait_longer() -> None:
    states: dict[object, TrackState] = {}
    select([cam()], states, 200_000, 0.0, congested=True)  # low, limited by the link
    t = 1.0
    select([cam()], states, 700_000, t)
    assert select([cam()], states, 700_000, t + UP_HOLD_S).choices["cam"].layer == "medium"
    # the link could not carry it: down at once, and the next try waits twice as long
    assert (
        select([cam()], states, 300_000, t + UP_HOLD_S + 1, congested=True).choices["cam"].layer
        == "low"
    )
    t = 10.0
    select([cam()], states, 700_000, t)
    assert select([cam()], states, 700_000, t + UP_HOLD_S).choices["cam"].layer == "low"
    assert select([cam()], states, 700_000, t + 2 * UP_HOLD_S).choices["cam"].layer == "medium"
    # kept long enough: the wait is back to normal
    select([cam()], states, 700_000, t + 2 * UP_HOLD_S + UP_KEPT_S)
    assert states["cam"].hold == UP_HOLD_S


def test_a_probe_moves_one_track_one_layer_up_beyond_the_estimate() -> None:
    states: dict = {}
    demands = [cam("lecturer"), cam("floor", Priority.FLOOR), AUDIO]
    select(demands, states, 400_000, 0.0)
    assert states["lecturer"].layer == states["floor"].layer == "low"
    sel = select(demands, states, 400_000, 1.0, probe=True)
    # the first in priority order, one layer only; the other waits for the next probe
    assert sel.probed == "floor"
    assert sel.choices["floor"].layer == "medium" and sel.choices["lecturer"].layer == "low"
    assert select(demands, states, 400_000, 2.0).choices["floor"].layer == "medium", (
        "kept without loss"
    )
    sel = select(demands, states, 400_000, 3.0, probe=True)
    assert sel.probed == "floor" and sel.choices["floor"].layer == "high"
    sel = select(demands, states, 400_000, 4.0, probe=True)
    assert sel.probed == "lecturer" and sel.choices["lecturer"].layer == "medium"
    # nothing left below its tile: nothing to probe
    select(demands, states, 400_000, 5.0, probe=True)
    assert select(demands, states, 400_000, 6.0, probe=True).probed is None


def test_no_probe_on_a_congested_link_and_a_failed_probe_goes_down_at_once() -> None:
    states: dict = {}
    select([cam(), AUDIO], states, 250_000, 0.0)
    assert select([cam(), AUDIO], states, 250_000, 1.0, probe=True, congested=True).probed is None
    assert select([cam(), AUDIO], states, 250_000, 2.0, probe=True).choices["cam"].layer == "medium"
    assert (
        select([cam(), AUDIO], states, 250_000, 3.0, congested=True).choices["cam"].layer == "low"
    )


def test_a_camera_paused_for_lack_of_bandwidth_comes_back_only_by_a_probe() -> None:
    states: dict = {}
    assert (
        select([cam(), AUDIO], states, 80_000, 0.0, congested=True, starved=True)
        .choices["cam"]
        .layer
        == "paused"
    )
    # the loss is gone, the estimate still says nothing fits: a floor, not a reason to resume
    assert select([cam(), AUDIO], states, 80_000, 10.0).choices["cam"].layer == "paused"
    sel = select([cam(), AUDIO], states, 80_000, 11.0, probe=True)
    assert sel.probed == "cam" and sel.choices["cam"].layer == "low"


def test_slides_go_key_frame_by_key_frame_only_on_a_congested_link_and_back_by_a_probe() -> None:
    states: dict = {}
    assert not select([SCREEN, AUDIO], states, 200_000, 0.0).choices["screen"].keyframes_only
    assert (
        select([SCREEN, AUDIO], states, 200_000, 1.0, congested=True)
        .choices["screen"]
        .keyframes_only
    )
    assert select([SCREEN, AUDIO], states, 200_000, 2.0).choices["screen"].keyframes_only
    sel = select([SCREEN, AUDIO], states, 200_000, 3.0, probe=True)
    assert sel.probed == "screen" and not sel.choices["screen"].keyframes_only


def test_a_layer_that_goes_away_moves_the_track_to_one_that_remains_at_once() -> None:
    states: dict = {}
    select([cam(), AUDIO], states, 250_000, 0.0, congested=True)
    assert states["cam"].layer == "low" and states["cam"].limited
    # the publisher's lower layers are unpublished (the floor taken back): only "high" is left
    single = Demand("cam", Priority.LECTURER, {"high": 400_000})
    assert select([single, AUDIO], states, 250_000, 0.5).choices["cam"].layer == "high"
    # a tile that shrinks below the current layer: down to it at once, without loss
    select([cam(), AUDIO], states, 3_000_000, 1.0)
    states["cam"].layer = "high"
    assert (
        select([cam(tile=(320, 180)), AUDIO], states, 3_000_000, 1.5).choices["cam"].layer == "low"
    )


def test_a_middle_layer_that_goes_away_while_the_link_could_carry_more_is_never_chosen() -> None:
    """The floor taken back withdraws the medium and low layers one at a time: a track on the
    medium layer then has high and low, and the hold before going up must not pick medium."""
    states: dict = {}
    select([cam(), AUDIO], states, 600_000, 0.0, congested=True)
    assert states["cam"].layer == "medium"
    high_and_low = Demand("cam", Priority.LECTURER, {"high": CAMERA["high"], "low": CAMERA["low"]})
    for t in (0.5, 1.0, 1.5):
        layer = select([high_and_low, AUDIO], states, 3_000_000, t).choices["cam"].layer
        assert layer in ("low", "high")
    assert states["cam"].layer in ("low", "high")
