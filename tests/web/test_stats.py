"""web/static/js/stats.js: quality, speaking levels and counters from getStats() reports.

The reports here are written out by hand in the shape Chromium produces, so each rule (the
selected candidate pair's RTT, loss between samples, audio level by m-line owner, the
server's receiver reports when nothing is received) is checked on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]

REPORTS = """
const report = (stats) => new Map(stats.map((s) => [s.id, s]));
const subscribe = report([
  {id: "T1", type: "transport", selectedCandidatePairId: "P1"},
  {id: "P1", type: "candidate-pair", currentRoundTripTime: 0.012},
  {id: "P2", type: "candidate-pair", currentRoundTripTime: 9},
  {id: "V", type: "inbound-rtp", kind: "video", mid: "0", packetsReceived: 900, packetsLost: 100, framesDecoded: 300, jitter: 0.004},
  {id: "A", type: "inbound-rtp", kind: "audio", mid: "1", packetsReceived: 500, packetsLost: 0, jitter: 0.002, audioLevel: 0.3},
  {id: "A2", type: "inbound-rtp", kind: "audio", mid: "3", packetsReceived: 50, packetsLost: 0, audioLevel: 0.01},
]);
const owners = {"0": "lecturer", "1": "lecturer", "3": "trainee"};
"""


def test_a_receiving_page(js: Js) -> None:
    result = js(
        "stats.js",
        REPORTS
        + """const s = m.summarize([subscribe], (mid) => owners[mid], {packetsReceived: 1350, packetsLost: 50});
             return {...s, audioLevels: Object.fromEntries(s.audioLevels)};""",
    )
    assert result["quality"]["rttMs"] == 12  # the selected pair, not any pair
    # Since the last sample: 100 more received and 50 more lost, so 50 of 150 expected.
    assert result["quality"]["lossPercent"] == pytest.approx(100 / 3)
    assert result["quality"]["jitterMs"] == 4
    assert result["quality"]["level"] == "poor"
    assert result["audioLevels"] == {"lecturer": 0.3, "trainee": 0.01}
    assert (
        result["videoPacketsReceived"],
        result["audioPacketsReceived"],
        result["framesDecoded"],
    ) == (900, 550, 300)
    assert result["counters"] == {"packetsReceived": 1450, "packetsLost": 100}


def test_a_page_that_only_sends_uses_the_servers_receiver_reports(js: Js) -> None:
    result = js(
        "stats.js",
        """const publish = new Map([
             ["T", {id: "T", type: "transport", selectedCandidatePairId: "P"}],
             ["P", {id: "P", type: "candidate-pair", currentRoundTripTime: 0.2}],
             ["R", {id: "R", type: "remote-inbound-rtp", fractionLost: 0.01, jitter: 0.01}],
           ]);
           return m.summarize([publish], () => undefined, null).quality;""",
    )
    assert result == {"rttMs": 200, "lossPercent": 1, "jitterMs": 10, "level": "fair"}


def test_no_statistics_yet_is_unknown(js: Js) -> None:
    assert (
        js("stats.js", "return m.summarize([new Map()], () => undefined, null).quality.level;")
        == "unknown"
    )
