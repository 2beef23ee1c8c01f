"""The rooms WebSocket: hello, welcome, live events, who may watch, and bad clients."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from tests.support.rooms import (
    admin_headers,
    bearer,
    join_token,
    lecturer_token,
    simulated_app,
    technician_token,
)

ROOM = "/api/rooms/room-101"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with simulated_app(tmp_path_factory.mktemp("ws") / "data") as c:
        yield c


def hello(ws: WebSocketTestSession, token: str, v: int = 1) -> dict[str, Any]:
    ws.send_text(json.dumps({"type": "hello", "v": v, "token": token}))
    message: dict[str, Any] = ws.receive_json()
    return message


def until(ws: WebSocketTestSession, check: Any, limit: int = 500) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if check(message):
            return message
    raise AssertionError("the expected event never came")


def test_welcome_then_live_events(client: TestClient) -> None:
    token = technician_token(client, "Kỹ thuật viên A")
    with client.websocket_connect("/ws/rooms") as ws:
        welcome = hello(ws, token)
        assert welcome["type"] == "welcome" and welcome["v"] == 1
        assert welcome["principal"] == {"kind": "technician", "name": "Kỹ thuật viên A", "room": None}
        assert [r["name"] for r in welcome["rooms"]] == ["room-101"]
        assert any(e["action"] == "link online" for e in welcome["log"])
        client.post(f"{ROOM}/devices/display/commands", json={"do": "volume", "level": 61}, headers=bearer(token))
        log = until(ws, lambda m: m["type"] == "log" and m["entry"]["action"] == "volume 61")
        assert log["entry"]["actor"]["name"] == "Kỹ thuật viên A" and log["room"] == "room-101"
        device = until(ws, lambda m: m["type"] == "device" and m["device"]["name"] == "display" and m["device"]["volume"] == 61)
        assert device["device"]["desired"]["volume"]["owner"] == "technician Kỹ thuật viên A"
        client.post(f"{ROOM}/scenes/discussion/runs", headers=bearer(token))
        done = until(ws, lambda m: m["type"] == "scene" and m["run"]["state"] != "running")
        assert done["run"]["scene"] == "discussion" and [s["state"] for s in done["run"]["steps"]] == ["ok", "ok"]
        ws.send_text(json.dumps({"type": "ping"}))
        until(ws, lambda m: m["type"] == "pong")


def test_a_lecturer_watches_their_room(client: TestClient) -> None:
    with client.websocket_connect("/ws/rooms") as ws:
        welcome = hello(ws, lecturer_token(client, "room-101"))
        assert welcome["principal"]["kind"] == "lecturer" and welcome["principal"]["room"] == "room-101"
        assert [r["name"] for r in welcome["rooms"]] == ["room-101"]


@pytest.mark.parametrize(
    ("who", "code"),
    [("trainee", "forbidden"), ("observer", "forbidden"), ("other lecturer", "forbidden"), ("bogus", "auth_invalid")],
)
def test_who_may_not_watch(client: TestClient, who: str, code: str) -> None:
    tokens = {
        "trainee": lambda: join_token(client, "trainee"),
        "observer": lambda: join_token(client, "observer"),
        "other lecturer": lambda: lecturer_token(client, None),
        "bogus": lambda: "bogus",
    }
    with client.websocket_connect("/ws/rooms") as ws:
        refused = hello(ws, tokens[who]())
        assert refused == {"type": "error", "code": code, "message": refused["message"]}
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1008


def test_bad_first_messages(client: TestClient) -> None:
    admin = admin_headers(client)["Authorization"].split(" ", 1)[1]
    with client.websocket_connect("/ws/rooms") as ws:
        assert hello(ws, admin, v=2)["code"] == "unsupported_version"
    with client.websocket_connect("/ws/rooms") as ws:
        ws.send_text("{not json")
        assert ws.receive_json()["code"] == "bad_message"
    with client.websocket_connect("/ws/rooms") as ws:
        ws.send_text(json.dumps({"type": "ping"}))
        assert ws.receive_json()["code"] == "bad_message"
    with client.websocket_connect("/ws/rooms") as ws:
        assert hello(ws, admin)["type"] == "welcome"
        ws.send_text(json.dumps({"type": "dance"}))
        assert until(ws, lambda m: m["type"] == "error")["code"] == "bad_message"
