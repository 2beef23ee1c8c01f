"""Layer selection (classroom/relay/layers.py): tile size, priorities, save-data, hysteresis."""

from __future__ import annotations

from classroom.relay.layers import NOMINAL_BPS, UP_HOLD_S, UP_KEPT_S, Demand, Priority, TrackState, select, tile_cap

CAMERA = dict(NOMINAL_BPS)  # high 1.5 Mbit/s, medium 500 kbit/s, low 150 kbit/s


def cam(key: str = "cam", priority: Priority = Priority.LECTURER, tile: tuple[int, int] | None = None) -> Demand:
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


def test_unmeasured_link_follows_the_tile_only() -> None:
    states: dict = {}
    sel = select([cam(tile=(320, 180)), cam("big")], states, None, 0.0)
    assert sel.choices["cam"].layer == "low" and sel.choices["big"].layer == "high"
    assert not sel.reduced and sel.quality == "good"


def test_priorities_share_the_estimate_audio_then_slides_then_floor_then_lecturer() -> None:
    states: dict = {}
    demands = [cam("lecturer", Priority.LECTURER), cam("floor", Priority.FLOOR), cam("other", Priority.OTHER), SCREEN, AUDIO]
    sel = select(demands, states, 900_000, 0.0)
    # 900 k − 48 k audio − 600 k slides = 252 k: the floor holder's camera gets the low layer first
    assert sel.choices["mic"].layer == "high" and sel.choices["screen"].layer == "high"
    assert not sel.choices["screen"].keyframes_only
    assert sel.choices["floor"].layer == "low"
    assert sel.choices["lecturer"].layer == "paused" and sel.choices["other"].layer == "paused"
    assert sel.reduced and sel.quality == "poor"


def test_when_video_cannot_be_carried_audio_and_slides_at_a_low_rate_remain() -> None:
    sel = select([cam(), SCREEN, AUDIO], {}, 200_000, 0.0)
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
    # the estimate falls: down at once, to what fits
    assert select([cam()], states, 600_000, 0.5).choices["cam"].layer == "medium"
    assert select([cam()], states, 200_000, 1.0).choices["cam"].layer == "low"
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
    select([cam()], states, 200_000, 0.0)  # low, limited by the link
    t = 1.0
    select([cam()], states, 700_000, t)
    assert select([cam()], states, 700_000, t + UP_HOLD_S).choices["cam"].layer == "medium"
    # the link could not carry it: down at once, and the next try waits twice as long
    assert select([cam()], states, 300_000, t + UP_HOLD_S + 1).choices["cam"].layer == "low"
    t = 10.0
    select([cam()], states, 700_000, t)
    assert select([cam()], states, 700_000, t + UP_HOLD_S).choices["cam"].layer == "low"
    assert select([cam()], states, 700_000, t + 2 * UP_HOLD_S).choices["cam"].layer == "medium"
    # kept long enough: the wait is back to normal
    select([cam()], states, 700_000, t + 2 * UP_HOLD_S + UP_KEPT_S)
    assert states["cam"].hold == UP_HOLD_S


def test_headroom_lets_a_capped_estimate_try_a_higher_layer() -> None:
    states: dict = {}
    select([cam(), AUDIO], states, 300_000, 0.0)
    select([cam(), AUDIO], states, 310_000, 1.0, headroom=2.5)
    assert select([cam(), AUDIO], states, 310_000, 1.0 + UP_HOLD_S, headroom=2.5).choices["cam"].layer == "medium"
    # the estimate still reports what was measured
    assert select([cam(), AUDIO], {}, 310_000, 0.0, headroom=2.5).quality == "fair"


def test_a_camera_paused_for_lack_of_bandwidth_is_tried_again_when_the_estimate_is_only_a_floor() -> None:
    states: dict = {}
    assert select([cam(), AUDIO], states, 80_000, 0.0).choices["cam"].layer == "paused"
    # without headroom the estimate is taken as the link's capacity: it stays paused
    assert select([cam(), AUDIO], states, 80_000, 10.0).choices["cam"].layer == "paused"
    select([cam(), AUDIO], states, 80_000, 11.0, headroom=2.5)
    assert select([cam(), AUDIO], states, 80_000, 11.0 + UP_HOLD_S, headroom=2.5).choices["cam"].layer == "low"
