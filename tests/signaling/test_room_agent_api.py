"""The room agent's health report: PUT with the room key, read by the console, in /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from signaling.api.metrics import render
from signaling.server.room_agents import STALE_AFTER, AgentReport, RoomAgents
from tests.support.rooms import admin_headers, bearer, simulated_app

ROOM = "room-101"
REPORT: dict[str, Any] = {
    "version": "0.1.0",
    "state": "in_class",
    "detail": "Lớp bồi dưỡng",
    "class_id": "abc123",
    "video": {
        "source": "rtsp://10.0.0.5/stream1", "state": "live", "mode": "passthrough", "reason": None,
        "codec": "h264", "profile": "constrained baseline 4.0 (42c028)", "width": 1920, "height": 1080,
        "fps": 29.9, "bitrate_bps": 3_900_000, "reconnects": 2, "frames": 1234,
    },
    "audio": {"capture_dbfs": -23.5, "playback_dbfs": -100.0},
}  # fmt: skip


@pytest.fixture
def client(tmp_path: Any) -> Iterator[TestClient]:
    with simulated_app(tmp_path / "data") as c:
        yield c


def room_key(client: TestClient) -> str:
    got = client.post(f"/api/rooms/{ROOM}/keys", json={"label": "PC"}, headers=admin_headers(client))
    assert got.status_code == 201, got.text
    return str(got.json()["key"])


def test_the_agent_reports_and_the_console_reads_it(client: TestClient) -> None:
    assert client.get(f"/api/rooms/{ROOM}/agent", headers=admin_headers(client)).status_code == 404
    key = room_key(client)
    assert client.put(f"/api/rooms/{ROOM}/agent", json=REPORT, headers=bearer(key)).status_code == 204
    got = client.get(f"/api/rooms/{ROOM}/agent", headers=admin_headers(client))
    assert got.status_code == 200, got.text
    view = got.json()
    assert view["online"] and view["room"] == ROOM and view["state"] == "in_class"
    assert view["video"]["mode"] == "passthrough" and view["video"]["width"] == 1920
    assert view["audio"]["capture_dbfs"] == -23.5


def test_reports_are_refused_clearly(client: TestClient) -> None:
    key = room_key(client)
    no_key = client.put(f"/api/rooms/{ROOM}/agent", json=REPORT)
    assert no_key.status_code == 401, no_key.text
    other_room = client.put("/api/rooms/room-999/agent", json=REPORT, headers=bearer(key))
    assert other_room.status_code == 403 and other_room.json()["error"]["code"] == "wrong_room"
    for bad in ({**REPORT, "state": "dancing"}, {**REPORT, "video": {**REPORT["video"], "fps": -1}}, {"version": "x" * 100, "state": "idle"}):
        got = client.put(f"/api/rooms/{ROOM}/agent", json=bad, headers=bearer(key))
        assert got.status_code == 422 and got.json()["error"]["code"] == "invalid_request", got.text
    assert client.get(f"/api/rooms/{ROOM}/agent", headers=admin_headers(client)).status_code == 404  # nothing kept
    assert client.get(f"/api/rooms/{ROOM}/agent").status_code == 401


def test_an_agent_that_stops_reporting_is_offline_and_metrics_say_so() -> None:
    now = [1000.0]
    agents = RoomAgents(clock=lambda: now[0])
    agents.report(ROOM, AgentReport.model_validate(REPORT))
    text = render([], agents=agents.views()).decode()
    assert 'classbridge_room_agent_online{room="room-101"} 1.0' in text
    assert 'classbridge_room_video_passthrough{room="room-101"} 1.0' in text
    assert 'classbridge_room_video_fps{room="room-101"} 29.9' in text
    assert 'classbridge_room_video_bitrate_bps{room="room-101"} 3.9e+06' in text
    now[0] += STALE_AFTER + 1
    view = agents.view(ROOM)
    assert view is not None and not view.online
    assert 'classbridge_room_agent_online{room="room-101"} 0.0' in render([], agents=agents.views()).decode()
