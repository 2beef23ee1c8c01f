"""web/static/js/roster.js: the roster follows the server's participant and track messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Js = Callable[[str, str], Any]

SCRIPT = """
const r = new m.Roster();
r.reset([{id: "L", role: "lecturer", name: "An", external_id: null, tracks: []}]);
const changed = [
  r.apply({type: "participant_joined", participant: {id: "T", role: "trainee", name: "Bình", external_id: null, tracks: []}}),
  r.apply({type: "track_published", participant_id: "T", track: {track_id: "m1", source: "microphone", kind: "audio", muted: false}}),
  r.apply({type: "track_published", participant_id: "T", track: {track_id: "c1", source: "camera", kind: "video", muted: false}}),
  r.apply({type: "track_muted", participant_id: "T", track_id: "m1", muted: true}),
  r.apply({type: "track_unpublished", participant_id: "T", track_id: "c1"}),
  r.apply({type: "track_published", participant_id: "ghost", track: {track_id: "x", source: "camera", kind: "video", muted: false}}),
  r.apply({type: "pong"}),
];
const afterTracks = structuredClone(r.list());
r.apply({type: "participant_left", participant_id: "L", reason: "left"});
return {changed, afterTracks, final: r.list().map((p) => p.id), messages: [...m.ROSTER_MESSAGES].sort()};
"""


def test_roster_follows_the_messages(js: Js) -> None:
    result = js("roster.js", SCRIPT)
    assert result["changed"] == [True, True, True, True, True, False, False]
    trainee = next(p for p in result["afterTracks"] if p["id"] == "T")
    assert trainee["tracks"] == [
        {"track_id": "m1", "source": "microphone", "kind": "audio", "muted": True}
    ]
    assert result["final"] == ["T"]
    assert result["messages"] == [
        "participant_joined",
        "participant_left",
        "track_muted",
        "track_published",
        "track_unpublished",
    ]


def test_reset_copies_so_later_changes_do_not_touch_the_joined_message(js: Js) -> None:
    result = js(
        "roster.js",
        """const joined = [{id: "T", role: "trainee", name: "Bình", external_id: null, tracks: []}];
           const r = new m.Roster();
           r.reset(joined);
           r.apply({type: "track_published", participant_id: "T", track: {track_id: "c", source: "camera", kind: "video", muted: false}});
           return joined[0].tracks.length;""",
    )
    assert result == 0
