"""web/static/js/quality.js: RTT, loss and jitter folded into good / fair / poor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]


def level(js: Js, rtt: float | None, loss: float | None, jitter: float | None) -> str:
    m = {"rttMs": rtt, "lossPercent": loss, "jitterMs": jitter}
    return str(js("quality.js", f"return m.classify({json.dumps(m)}).level;"))


def test_thresholds(js: Js) -> None:
    assert level(js, 20, 0, 5) == "good"
    assert level(js, 150, 2, 30) == "good"  # bounds are inclusive
    assert level(js, 151, 0, 5) == "fair"
    assert level(js, 40, 5, 5) == "fair"
    assert level(js, 40, 0, 60) == "fair"
    assert level(js, 401, 0, 5) == "poor"
    assert level(js, 40, 9, 5) == "poor"
    assert level(js, 40, 0, 81) == "poor"


def test_unknown_parts_do_not_count_and_nothing_known_is_unknown(js: Js) -> None:
    assert level(js, None, None, None) == "unknown"
    assert level(js, 500, None, None) == "poor"
    assert level(js, None, 1, None) == "good"


def test_loss_is_measured_between_samples(js: Js) -> None:
    result = js(
        "quality.js",
        """return [
          m.lossBetween(null, {packetsReceived: 95, packetsLost: 5}),
          m.lossBetween({packetsReceived: 95, packetsLost: 5}, {packetsReceived: 195, packetsLost: 5}),
          m.lossBetween({packetsReceived: 100, packetsLost: 0}, {packetsReceived: 100, packetsLost: 0}),
          m.lossBetween({packetsReceived: 100, packetsLost: 10}, {packetsReceived: 190, packetsLost: 8}),
        ];""",
    )
    assert result == [5, 0, None, 0]  # a falling lost count (late packets) is no loss


def test_one_bad_sample_does_not_flip_the_indicator_two_do(js: Js) -> None:
    result = js(
        "quality.js",
        """return [
          m.steadyLevel([]),
          m.steadyLevel(["fair"]),
          m.steadyLevel(["good", "poor"]),
          m.steadyLevel(["poor", "poor"]),
          m.steadyLevel(["poor", "good"]),
          m.steadyLevel(["unknown", "poor"]),
          m.steadyLevel(["fair", "unknown"]),
        ];""",
    )
    assert result == ["unknown", "fair", "good", "poor", "good", "poor", "unknown"]
