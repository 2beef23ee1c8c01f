"""The simulated PTZ head on a hand-stepped clock: motion, end stops, targets, presets, home."""

from __future__ import annotations

import pytest

from devices.sim.onvif.ptz_state import PtzRefused, PtzState, Vector
from tests.support.clock import ManualClock


@pytest.fixture
def head(clock: ManualClock) -> PtzState:
    return PtzState(clock=clock, rate=1.0, max_presets=2)


def test_continuous_motion_until_stop(head: PtzState, clock: ManualClock) -> None:
    head.continuous({"pan": 0.5, "tilt": -0.5})
    clock.advance(1.0)
    assert head.position() == Vector(0.5, -0.5, 0.0)
    assert head.moving() == (True, False)
    head.continuous({"zoom": 1.0})  # the pan/tilt move goes on
    clock.advance(0.25)
    assert head.position() == Vector(0.625, -0.625, 0.25)
    head.stop(pan_tilt=True, zoom=False)
    clock.advance(1.0)
    assert head.position() == Vector(0.625, -0.625, 1.0)  # zoom ran into its end stop
    assert head.moving() == (False, False)


def test_end_stops_end_a_continuous_move(head: PtzState, clock: ManualClock) -> None:
    head.continuous({"pan": -1.0})
    clock.advance(5)
    assert head.position().pan == -1.0 and head.moving() == (False, False)


def test_absolute_and_relative_moves_travel_at_the_given_speed(head: PtzState, clock: ManualClock) -> None:
    head.absolute({"pan": 0.5, "zoom": 0.5}, speed=0.5)
    clock.advance(0.5)
    assert head.position() == Vector(0.25, 0.0, 0.25)
    clock.advance(1.0)
    assert head.position() == Vector(0.5, 0.0, 0.5) and head.moving() == (False, False)
    head.relative({"pan": 0.75, "tilt": -0.5})
    clock.advance(2)
    assert head.position() == Vector(1.0, -0.5, 0.5)  # clamped to the pan limit


@pytest.mark.parametrize(
    ("call", "subcode"),
    [
        (lambda h: h.continuous({"pan": 1.5}), "InvalidVelocity"),
        (lambda h: h.absolute({"zoom": -0.1}), "InvalidPosition"),
        (lambda h: h.absolute({"pan": float("nan")}), "InvalidPosition"),
        (lambda h: h.relative({"tilt": 2.5}), "InvalidTranslation"),
        (lambda h: h.absolute({"pan": 0.0}, speed=2.0), "InvalidSpeed"),
        (lambda h: h.goto_preset("9"), "NoToken"),
        (lambda h: h.remove_preset("9"), "NoToken"),
        (lambda h: h.set_preset(None, "9"), "NoToken"),
    ],
)
def test_refusals_carry_the_onvif_subcode(head: PtzState, call, subcode: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PtzRefused) as refused:
        call(head)
    assert refused.value.subcode == subcode


def test_presets_numeric_tokens_capacity_and_names(head: PtzState, clock: ManualClock) -> None:
    assert head.set_preset("door", None) == "1"
    head.absolute({"pan": 0.5})
    clock.advance(1)
    assert head.set_preset(None, None) == "2"
    assert head.presets["2"].name == "Preset 2"
    with pytest.raises(PtzRefused) as full:
        head.set_preset("more", None)
    assert full.value.subcode == "TooManyPresets"
    head.remove_preset("1")
    with pytest.raises(PtzRefused) as twice:
        head.set_preset("Preset 2", None)
    assert twice.value.subcode == "PresetExist"
    head.absolute({"pan": -0.5})
    clock.advance(1)
    assert head.set_preset("desk", None) == "1"  # the freed slot
    head.goto_preset("2", speed=0.5)
    clock.advance(1)
    assert head.moving() == (True, False) and head.position().pan == 0.0
    clock.advance(1)
    assert head.moving() == (False, False) and head.position().pan == 0.5
    head.goto_preset("1")
    clock.advance(1)
    assert head.position() == Vector(-0.5, 0.0, 0.0)
    head.set_preset("renamed", "1")
    assert head.presets["1"].name == "renamed"


def test_opaque_tokens_and_home(clock: ManualClock) -> None:
    head = PtzState(clock=clock, tokens="opaque", home_position=Vector(0.1, 0.2, 0.3))
    assert head.position() == Vector(0.1, 0.2, 0.3)
    assert head.set_preset("a", None) == "preset-0001"
    head.absolute({"pan": -0.5})
    clock.advance(1)
    head.set_home()
    head.absolute({"pan": 0.5})
    clock.advance(1)
    head.goto_home()
    clock.advance(1)
    assert head.position() == Vector(-0.5, 0.2, 0.3)
    with pytest.raises(ValueError, match="tokens"):
        PtzState(clock=clock, tokens="weird")
