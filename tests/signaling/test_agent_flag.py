"""The room agent announces itself at join (`"agent": true`, room links only), and everyone
sees it in the roster: the room's screen page then leaves the room's sound to the agent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from classroom.roles import Role
from signaling.ws.messages import PROTOCOL_VERSION
from tests.support.signaling_harness import SignalingBench, signaling_bench

pytestmark = pytest.mark.webrtc


@pytest.fixture
def bench(tmp_path: Path) -> Iterator[SignalingBench]:
    with signaling_bench(tmp_path / "data") as b:
        yield b


def join(bench: SignalingBench, role: Role, agent: bool) -> str:
    token = bench.services.tokens.issue(bench.class_id, role)
    return json.dumps({"type": "join", "v": PROTOCOL_VERSION, "token": token, "name": "Phòng 101", "agent": agent})


def test_the_room_agent_is_marked_in_everyones_roster(bench: SignalingBench) -> None:
    async def scenario() -> None:
        lecturer = await bench.joined(Role.LECTURER)
        agent = await bench.connect()
        await agent.send(join(bench, Role.ROOM, True))
        sent = agent.socket.sent
        await agent.socket.wait_for("joined", lambda: any(m["type"] == "joined" for m in sent))
        joined: dict[str, Any] = next(m for m in sent if m["type"] == "joined")
        assert joined["participant"]["agent"] is True and joined["participant"]["role"] == "room"
        assert [p["agent"] for p in joined["participants"]] == [False]  # the lecturer
        seen = lecturer.socket.sent
        await lecturer.socket.wait_for(
            "the agent in the lecturer's roster",
            lambda: any(m["type"] == "participant_joined" and m["participant"]["agent"] for m in seen),
        )
        screen = await bench.connect()  # the LED-wall page joins as the room too, not as the agent
        await screen.send(join(bench, Role.ROOM, False))
        await screen.socket.wait_for("joined", lambda: any(m["type"] == "joined" for m in screen.socket.sent))
        roster = next(m for m in screen.socket.sent if m["type"] == "joined")["participants"]
        assert sorted((p["role"], p["agent"]) for p in roster) == [("lecturer", False), ("room", True)]
        for session in (screen, agent, lecturer):
            await session.finish()

    bench.run(scenario())


def test_only_a_room_link_may_join_as_the_agent(bench: SignalingBench) -> None:
    async def scenario() -> None:
        trainee = await bench.connect()
        await trainee.send(join(bench, Role.TRAINEE, True))
        await trainee.socket.wait_for("the refusal", lambda: trainee.socket.closed is not None)
        assert [e["code"] for e in trainee.socket.errors()] == ["not_allowed"]
        assert not any(m["type"] == "joined" for m in trainee.socket.sent)

    bench.run(scenario())
