"""The room REST API on the example room's simulators: status, commands, scenes, logs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.rooms import admin_headers, bearer, simulated_app, technician_token
from tests.support.wait import wait_until
from signaling.server.state import server_of

ROOM = "/api/rooms/room-101"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with simulated_app(tmp_path_factory.mktemp("rooms") / "data") as c:
        yield c


@pytest.fixture(scope="module")
def tech(client: TestClient) -> dict[str, str]:
    return bearer(technician_token(client))


def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code, body
    return str(body["message"])


def test_rooms_with_live_device_status(client: TestClient, tech: dict[str, str]) -> None:
    rooms = client.get("/api/rooms", headers=tech).json()
    assert [r["name"] for r in rooms] == ["room-101"]
    room = rooms[0]
    assert room["title"] == "Phòng 101 – Hội trường A"
    devices = {d["name"]: d for d in room["devices"]}
    assert set(devices) == {"camera", "camera-wide", "display", "projector", "mic"}
    assert all(d["link"] == "online" for d in devices.values())
    assert devices["display"]["controls"]["inputs"][:2] == ["pc", "dvi"]
    assert {s["name"]: s["lecturer"] for s in room["scenes"]}["end"] is False
    one = client.get(f"{ROOM}/devices/projector", headers=tech).json()
    assert one["kind"] == "display" and one["protocol"] == "pjlink"


def test_commands_change_the_simulators(client: TestClient, tech: dict[str, str]) -> None:
    fleet = server_of(client.app).rooms.fleet
    display = fleet.simulator("room-101/display")
    got = client.post(f"{ROOM}/devices/display/commands", json={"do": "volume", "level": 42}, headers=tech)
    assert got.status_code == 200, got.text
    assert display.state.volume == 42 and got.json()["desired"]["volume"]["value"] == 42
    camera = fleet.simulator("room-101/camera")
    camera.camera.presets[4] = (700.0, 100.0, 0.0)
    assert client.post(f"{ROOM}/devices/camera/commands", json={"do": "preset_recall", "preset": 4}, headers=tech).status_code == 200
    wait_until(
        lambda: camera.camera.snapshot()["pan"] == 700,
        what="the camera at preset 4",
        describe=lambda: f"the camera: {camera.camera.snapshot()}",
    )


def test_device_errors_have_codes(client: TestClient, tech: dict[str, str]) -> None:
    url = f"{ROOM}/devices"
    error(client.post(f"{url}/camera/commands", json={"do": "volume", "level": 1}, headers=tech), 422, "unsupported")
    error(client.post(f"{url}/ghost/commands", json={"do": "stop"}, headers=tech), 404, "device_not_found")
    error(client.post("/api/rooms/room-9/devices/x/commands", json={"do": "stop"}, headers=tech), 404, "room_not_found")
    message = error(client.post(f"{url}/camera/commands", json={"do": "preset_recall", "preset": 40}, headers=tech), 422, "invalid_value")
    assert "preset must be 0..15" in message
    message = error(client.post(f"{url}/camera/commands", json={"do": "go_to", "pan": 0.5, "tilt": 0, "zoom": 0}, headers=tech), 422, "invalid_value")
    assert "whole number" in message
    error(client.post(f"{url}/projector/commands", json={"do": "input", "input": "hdmi9"}, headers=tech), 422, "invalid_value")
    error(client.post(f"{url}/camera/commands", json={"do": "preset_recall", "preset": 300}, headers=tech), 422, "invalid_value")
    error(client.post(f"{url}/display/commands", json={"do": "volume", "level": 101}, headers=tech), 422, "invalid_value")
    error(client.post(f"{url}/camera/commands", json={"do": "spin"}, headers=tech), 422, "invalid_request")
    fleet = server_of(client.app).rooms.fleet
    projector = fleet.simulator("room-101/projector")
    projector.faults.busy = True
    try:
        error(client.post(f"{url}/projector/commands", json={"do": "power", "power": True}, headers=tech), 409, "device_busy")
    finally:
        projector.faults.clear()
    error(client.post(f"{ROOM}/scenes/nope/runs", headers=tech), 404, "scene_not_found")
    error(client.post(f"{ROOM}/positions/nope", headers=tech), 404, "position_not_found")


def test_run_a_scene_and_read_the_logs(client: TestClient, tech: dict[str, str]) -> None:
    started = client.post(f"{ROOM}/scenes/presentation/runs", headers=tech)
    assert started.status_code == 202 and started.json()["state"] == "running"
    done = client.post(f"{ROOM}/scenes/discussion/runs", params={"wait": "true"}, headers=tech)
    assert done.status_code == 200, done.text
    run = done.json()
    assert run["state"] == "succeeded" and run["actor"] == {"kind": "technician", "name": "Trần Văn Tuấn", "class_id": None}
    assert [s["state"] for s in run["steps"]] == ["ok", "ok"]
    assert client.get(ROOM, headers=tech).json()["run"]["id"] == run["id"]
    events = client.get(f"{ROOM}/events", params={"limit": 200}, headers=tech).json()
    assert any(e["target"] == "discussion" and e["result"] == "ok" for e in events)
    audit = client.get("/api/audit", params={"room": "room-101"}, headers=tech).json()
    assert audit[0]["target"] == "discussion" and audit[0]["actor_name"] == "Trần Văn Tuấn"
    assert not any(e["action"].startswith("link ") for e in audit)
    csv = client.get("/api/audit", params={"format": "csv"}, headers=tech)
    assert csv.headers["content-type"].startswith("text/csv") and "discussion" in csv.text


def test_positions(client: TestClient, tech: dict[str, str]) -> None:
    moved = client.post(f"{ROOM}/positions/whiteboard", headers=tech)
    assert moved.status_code == 200 and moved.json()["name"] == "camera"
    camera = server_of(client.app).rooms.fleet.simulator("room-101/camera")
    assert camera.camera.pan.target == -600


def test_technician_links(client: TestClient) -> None:
    admin = admin_headers(client)
    issued = client.post("/api/technicians/links", json={"name": "  Lê Thị Hoa ", "ttl_hours": 2}, headers=admin)
    assert issued.status_code == 201
    body = issued.json()
    assert body["name"] == "Lê Thị Hoa" and body["link"].startswith("http://127.0.0.1:8000/console#t=")
    bad = client.post("/api/technicians/links", json={"name": "a\nb"}, headers=admin)
    error(bad, 422, "invalid_request")


def test_the_openapi_document_describes_rooms(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/rooms/{room}/devices/{device}/commands" in spec["paths"]
    schemas = spec["components"]["schemas"]
    assert {"DeviceView", "SceneRunView", "LogEntry", "RoomView", "AuditEntry", "Move", "Gain"} <= set(schemas)
    assert "/ws/rooms" in spec["info"]["description"]
