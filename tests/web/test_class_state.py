"""web/static/js/class_state.js in the browser: what the page remembers of how the class is
run (chat across a rejoin, blocks, hands, waited times), from the server's messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

JOINED = """
const joined = (chat, state = {}) => ({
  participant: { id: "me" }, class: {}, participants: [], ice_servers: [], limits: {},
  state: { settings: { chat: true, locked: false, lobby: false, auto_admit_personal: false, floor_screen_share: false },
           hands: [], floor: [], blocks: [], ...state },
  chat,
});
const line = (id) => ({ id, at: "2030-01-01T08:00:00Z", sender_id: "x", sender_name: "X", sender_role: "trainee", text: `l${id}`, to_id: null, to_name: null });
"""


def test_chat_history_is_kept_across_a_rejoin_without_duplicates(js: Callable[[str, str], Any]) -> None:
    ids = js(
        "class_state.js",
        JOINED
        + """
        const s = new m.ClassState();
        s.reset(joined([line(1), line(2)]));
        s.apply({ type: "chat", line: line(3) });
        s.apply({ type: "chat", line: line(3) });
        s.reset(joined([line(2), line(3), line(4)]));  // the server's history after a rejoin
        return s.chat.map((l) => l.id);
        """,
    )
    assert ids == [1, 2, 3, 4]


def test_blocks_hands_and_floor_follow_the_server(js: Callable[[str, str], Any]) -> None:
    result = js(
        "class_state.js",
        JOINED
        + """
        const s = new m.ClassState();
        s.reset(joined([], { blocks: [{ participant_id: "a", source: "microphone", may_resume: true }] }));
        const first = s.block("a", "microphone")?.may_resume;
        s.apply({ type: "blocked", participant_id: "a", source: "microphone", blocked: true, may_resume: false });
        const second = s.block("a", "microphone")?.may_resume;
        const count = s.blocks.length;
        s.apply({ type: "blocked", participant_id: "a", source: "microphone", blocked: false, may_resume: true });
        s.apply({ type: "hands", hands: [{ participant_id: "b", raised_at: "2030-01-01T08:00:00Z" }, { participant_id: "a", raised_at: "2030-01-01T08:00:05Z" }] });
        s.apply({ type: "floor", holders: ["c"] });
        return [first, second, count, s.block("a", "microphone"), s.handPosition("a"), s.handPosition("z"), s.holdsFloor("c"),
                m.waited("2030-01-01T08:00:00Z", Date.parse("2030-01-01T08:01:05Z")), m.waited("2030-01-01T08:00:00Z", 0)];
        """,
    )
    assert result == [True, False, 1, None, 2, 0, True, "1:05", "0:00"]
