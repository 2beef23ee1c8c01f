"""web/static/js/backoff.js: reconnect delays grow, are capped, jittered, and reset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]


def test_delays_double_up_to_the_cap_and_reset(js: Js) -> None:
    result = js(
        "backoff.js",
        """const b = new m.Backoff({initialMs: 100, maxMs: 1000, factor: 2, jitter: 0}, () => 0.5);
           const first = Array.from({length: 6}, () => b.next());
           const attempts = b.attempt;
           b.reset();
           return [first, attempts, b.next()];""",
    )
    assert result == [[100, 200, 400, 800, 1000, 1000], 6, 100]


def test_jitter_spreads_delays_below_the_base(js: Js) -> None:
    result = js(
        "backoff.js",
        """const low = new m.Backoff({initialMs: 1000, jitter: 0.3}, () => 0).next();
           const high = new m.Backoff({initialMs: 1000, jitter: 0.3}, () => 0.999).next();
           return [low, high, m.DEFAULT_BACKOFF.initialMs];""",
    )
    assert result == [700, 1000, 500]
