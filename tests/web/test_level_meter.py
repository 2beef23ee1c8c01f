"""web/static/js/level_meter.js: the pre-join microphone meter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.support.wait import wait_until

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]


def test_level_of_samples(js: Js) -> None:
    result = js(
        "level_meter.js",
        """const sine = (amplitude) => Float32Array.from({length: 480}, (_, i) => amplitude * Math.sin(i / 10));
           return [m.levelOf(new Float32Array(0)), m.levelOf(new Float32Array(480)), m.levelOf(sine(0.05)), m.levelOf(sine(1))];""",
    )
    silence_empty, silence, speech, loud = result
    assert silence_empty == 0 and silence == 0
    assert 0.1 < speech < 0.2  # RMS 0.035, scaled ×4
    assert loud == 1  # capped


def test_the_meter_moves_with_the_fake_microphone(js: Js) -> None:
    """Chromium's fake microphone beeps: the meter reads above zero at some point."""
    js(
        "level_meter.js",
        """const stream = await navigator.mediaDevices.getUserMedia({audio: true});
           window.meter = new m.LevelMeter(stream);
           window.peak = 0;
           setInterval(() => { window.peak = Math.max(window.peak, window.meter.read()); }, 20);""",
    )
    wait_until(
        lambda: js("level_meter.js", "return window.peak;") > 0.05,
        10,
        "a level from the fake microphone",
    )
