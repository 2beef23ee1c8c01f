"""web/static/js/view_sizes.js: the displayed size of each received video, told to the relay
(`view`): device pixels, hidden tiles 0×0, changes gathered (≥ 500 ms) and sent once."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]


def test_device_size_scales_clamps_and_hides(js: Js) -> None:
    sizes = js(
        "view_sizes.js",
        """return [
          m.deviceSize(320, 180, 2, true),
          m.deviceSize(320.4, 180.6, 1, true),
          m.deviceSize(320, 180, 2, false),
          m.deviceSize(0, 180, 1, true),
          m.deviceSize(9000, 5000, 1, true),
          m.deviceSize(100, 50, NaN, true),
        ];""",
    )
    assert sizes == [
        {"width": 640, "height": 360},
        {"width": 320, "height": 181},
        {"width": 0, "height": 0},
        {"width": 0, "height": 0},
        {"width": 7680, "height": 4320},  # the protocol's limits
        {"width": 100, "height": 50},
    ]


def test_a_frame_only_when_something_changed_sorted_and_at_most_32_tracks(js: Js) -> None:
    result = js(
        "view_sizes.js",
        """
        const sizes = new Map([["b", {width: 10, height: 5}], ["a", {width: 0, height: 0}]]);
        const first = m.viewFrame(sizes, "");
        const again = m.viewFrame(new Map([...sizes].reverse()), first.key);
        const many = new Map(Array.from({length: 40}, (_, i) => [`t${String(i).padStart(2, "0")}`, {width: 1, height: 1}]));
        return {first: first.list, again, many: m.viewFrame(many, "").list.length};
        """,
    )
    assert result["first"] == [
        {"track_id": "a", "width": 0, "height": 0},
        {"track_id": "b", "width": 10, "height": 5},
    ]
    assert result["again"] is None
    assert result["many"] == 32


def test_resizes_are_gathered_into_one_frame_and_a_hidden_tile_is_zero(js: Js) -> None:
    frames = js(
        "view_sizes.js",
        """
        const box = document.createElement("div");
        box.style.cssText = "width: 320px; height: 180px; display: block";
        document.body.append(box);
        const sent = [];
        const times = [];
        const start = performance.now();
        let wake = () => {};
        const views = new m.ViewSizes((tracks) => { sent.push(tracks); times.push(performance.now() - start); wake(); }, {debounceMs: 100});
        const next = () => new Promise((resolve) => { wake = resolve; });
        let arrived = next();
        views.watch(new Map([["cam", box]]));
        await arrived;
        arrived = next();
        box.style.width = "400px";  // two changes in a row: one frame with the last
        await new Promise(requestAnimationFrame);
        box.style.width = "640px";
        box.style.height = "360px";
        await arrived;
        arrived = next();
        box.style.display = "none";
        await arrived;
        views.close();
        box.remove();
        return {sent, times, ratio: devicePixelRatio};
        """,
    )
    r = frames["ratio"]
    assert frames["sent"] == [
        [{"track_id": "cam", "width": round(320 * r), "height": round(180 * r)}],
        [{"track_id": "cam", "width": round(640 * r), "height": round(360 * r)}],
        [{"track_id": "cam", "width": 0, "height": 0}],
    ], json.dumps(frames)
    # Never more often than every 500 ms, whatever the caller asks.
    gaps = [b - a for a, b in zip(frames["times"], frames["times"][1:], strict=False)]
    assert frames["times"][0] >= 490 and all(g >= 490 for g in gaps), frames["times"]
