"""The agent follows its room's schedule with a room key: idle, joins, survives a server
restart, leaves when the class ends, and stops on a revoked key."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from classroom.relay import aiortc_internals
from classroom.roles import Source
from signaling.ws.client import ClassClient, WebSocketChannel
from tests.agent.support import AgentProcess
from tests.integration.conftest import token_of
from tests.support.media import frames
from tests.support.rtsp_camera import RtspCamera
from tests.support.wait import until
from tests.web.support import ADMIN_TOKEN, ClassServer

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(300)]
ROOM = "room-101"


@pytest.fixture(autouse=True)
def loopback_candidates() -> Iterator[None]:
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    yield
    aiortc_internals.use_host_addresses(None)


def admin(server: ClassServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(
        method, f"{server.url}/api{path}", json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


async def room_camera_at_trainee(server: ClassServer, created: dict[str, Any]) -> tuple[int, int]:
    """A trainee joins and decodes the room's camera: its frame size."""
    trainee = ClassClient(await WebSocketChannel.connect(server.url.replace("http", "ws", 1) + f"/ws/{created['id']}"))
    await trainee.join(token_of(created["links"]["trainee"]), name="Học viên")
    try:
        received = await until(
            lambda: [r for r in trainee.received() if r.info.source is Source.CAMERA], 60, "the room camera"
        )
        sizes = {(f.width, f.height) for f in await frames(received[0].track, 10, timeout=20)}
        assert len(sizes) == 1, sizes
        return sizes.pop()
    finally:
        await trainee.close()


async def test_the_agent_follows_the_room_schedule(server: ClassServer, camera: RtspCamera, tmp_path: Path) -> None:
    issued = admin(server, "POST", f"/rooms/{ROOM}/keys", {"label": "PC phòng 101"})
    key_file = tmp_path / "room.key"
    key_file.write_text(issued["key"])
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", ROOM, "--key-file", str(key_file), "--poll-interval", "1"]
        + ["--camera", camera.url, "--no-audio"],
    ).start()

    def describe() -> str:
        return f"{agent.status()}\n{agent.tail()}\n{server.log_tail(15)}"

    try:
        await until(lambda: agent.status().get("state") == "idle", 60, "the agent idle: no class", describe=describe)

        now = datetime.now(UTC)
        created = admin(server, "POST", "/classes", {
            "title": "Lớp bồi dưỡng", "room": ROOM,
            "starts_at": now.isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat(),
        })  # fmt: skip
        await until(lambda: agent.status().get("class_id") == created["id"], 60, "the agent in the class", describe=describe)
        assert await room_camera_at_trainee(server, created) == (1280, 720)

        server.stop()  # a server restart: the agent notices, then comes back by itself
        await until(lambda: agent.status().get("state") == "offline", 60, "the agent offline", describe=describe)
        server.start()
        await until(lambda: agent.status().get("class_id") == created["id"], 90, "the agent back in the class", describe=describe)
        assert await room_camera_at_trainee(server, created) == (1280, 720)

        admin(server, "POST", f"/classes/{created['id']}/end")
        await until(lambda: agent.status().get("state") == "idle", 60, "the agent to leave the ended class", describe=describe)

        admin(server, "POST", f"/room-keys/{issued['key_id']}/revoke")
        await until(lambda: agent.status().get("state") == "refused", 60, "the agent refused", describe=describe)
        assert "key_revoked" in agent.status()["detail"]
    finally:
        agent.stop()
    assert agent.codecs() <= {"installed", "get_encoder", "H264Encoder"}
