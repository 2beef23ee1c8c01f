"""The agent follows its room's schedule with a room key: idle, joins, survives a server
restart, leaves when the class ends, and stops on a revoked key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agent.support import AgentProcess, room_camera_at_trainee
from tests.support.rtsp_camera import RtspCamera
from tests.support.wait import until
from tests.web.support import ADMIN_TOKEN, ClassServer

pytestmark = [pytest.mark.webrtc, pytest.mark.timeout(300)]
ROOM = "room-101"


def admin(server: ClassServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(
        method, f"{server.url}/api{path}", json=body, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def reported(server: ClassServer) -> dict[str, Any]:
    got = httpx.get(f"{server.url}/api/rooms/{ROOM}/agent", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=10)
    return dict(got.json()) if got.status_code == 200 else {}


async def test_the_agent_follows_the_room_schedule(server: ClassServer, camera: RtspCamera, tmp_path: Path) -> None:
    issued = admin(server, "POST", f"/rooms/{ROOM}/keys", {"label": "PC phòng 101"})
    key_file = tmp_path / "room.key"
    key_file.write_text(issued["key"])
    agent = AgentProcess(
        tmp_path / "agent.log",
        tmp_path / "agent-codecs.log",
        ["--server", server.url, "--room", ROOM, "--key-file", str(key_file), "--poll-interval", "1", "--report-interval", "1"]
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
        # Its health, as the technician console and /metrics see it.
        await until(lambda: reported(server).get("state") == "in_class", 30, "the agent's report", describe=describe)
        view = reported(server)
        assert view["online"] and view["class_id"] == created["id"] and view["video"]["mode"] == "passthrough"
        metrics = httpx.get(f"{server.url}/metrics", timeout=10).text
        assert 'classbridge_room_video_passthrough{room="room-101"} 1.0' in metrics
        assert 'classbridge_room_agent_in_class{room="room-101"} 1.0' in metrics

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
