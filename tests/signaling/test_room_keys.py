"""Room keys (issue, list, revoke, digest only) and the room PC's `GET /api/rooms/{room}/now`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from classroom import classes
from classroom.room_keys.models import RoomKeyRecord
from classroom.roles import Role
from signaling.auth.room_keys import RoomKeys, RoomKeyRefused
from signaling.server.state import server_of
from tests.support.rooms import admin_headers, bearer, simulated_app

ROOM = "room-101"


@pytest.fixture
def client(tmp_path: Any) -> Iterator[TestClient]:
    with simulated_app(tmp_path / "data") as c:
        yield c


def issue(client: TestClient, room: str = ROOM) -> dict[str, Any]:
    got = client.post(f"/api/rooms/{room}/keys", json={"label": "LED-wall PC"}, headers=admin_headers(client))
    assert got.status_code == 201, got.text
    return dict(got.json())


def refused(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code, body
    return str(body["message"])


def test_a_key_is_shown_once_and_stored_as_a_digest(client: TestClient) -> None:
    issued = issue(client)
    assert issued["key"].startswith(f"rk_{issued['key_id']}_") and issued["room"] == ROOM
    listed = client.get("/api/room-keys", headers=admin_headers(client)).json()
    assert listed == [{k: v for k, v in issued.items() if k != "key"}]  # never the key again
    db = server_of(client.app).services.db
    with db() as session:
        stored = session.scalars(select(RoomKeyRecord)).one()
    secret = issued["key"].split("_", 2)[2]
    assert secret not in stored.digest and issued["key"] not in stored.digest
    assert len(stored.digest) == 64


def test_only_the_admin_issues_keys_for_known_rooms(client: TestClient) -> None:
    refused(client.post(f"/api/rooms/{ROOM}/keys", headers=bearer("nope")), 403, "auth_invalid")
    refused(client.get("/api/room-keys"), 401, "auth_required")
    message = refused(client.post("/api/rooms/room-999/keys", headers=admin_headers(client)), 422, "unknown_room")
    assert "room-101" in message
    refused(client.post("/api/room-keys/ffff/revoke", headers=admin_headers(client)), 404, "room_key_not_found")


def test_now_with_a_class_on_and_the_next(client: TestClient) -> None:
    key = issue(client)["key"]
    db = server_of(client.app).services.db
    empty = client.get(f"/api/rooms/{ROOM}/now", headers=bearer(key))
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"room": ROOM, "class": None, "next": None}
    now = datetime.now(UTC)
    on = classes.create(db, "Kỹ năng lãnh đạo", ROOM, starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
    later = classes.create(db, "Quản lý nhà nước", ROOM, starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3))
    classes.create(db, "Elsewhere", None, starts_at=now, ends_at=now + timedelta(hours=1))
    body = client.get(f"/api/rooms/{ROOM}/now", headers=bearer(key)).json()
    assert body["room"] == ROOM
    assert body["class"]["id"] == on.id and body["class"]["title"] == "Kỹ năng lãnh đạo"
    assert datetime.fromisoformat(body["class"]["ends_at"]) == on.ends_at
    claims = server_of(client.app).services.tokens.verify(body["class"]["join_token"], on.id)
    assert claims.role is Role.ROOM
    assert body["next"] == {"id": later.id, "title": "Quản lý nhà nước", "starts_at": body["next"]["starts_at"]}
    assert datetime.fromisoformat(body["next"]["starts_at"]) == later.starts_at
    classes.end(db, on.id)
    after = client.get(f"/api/rooms/{ROOM}/now", headers=bearer(key)).json()
    assert after["class"] is None and after["next"]["id"] == later.id


def test_now_refuses_other_rooms_revoked_keys_join_tokens_and_garbage(client: TestClient) -> None:
    issued = issue(client)
    key = issued["key"]
    # A valid key of room-101 asking about another room.
    refused(client.get("/api/rooms/room-202/now", headers=bearer(key)), 403, "wrong_room")
    # No credential, garbage, a key with a wrong secret.
    refused(client.get(f"/api/rooms/{ROOM}/now"), 401, "room_key_required")
    refused(client.get(f"/api/rooms/{ROOM}/now", headers=bearer("garbage")), 401, "room_key_invalid")
    refused(client.get(f"/api/rooms/{ROOM}/now", headers=bearer(key[:-3] + "xyz")), 401, "room_key_invalid")
    # A trainee's (or even a room's) join token is not a room key.
    db = server_of(client.app).services.db
    info = classes.create(db, "Lớp", ROOM)
    trainee = server_of(client.app).services.tokens.issue(info.id, Role.TRAINEE)
    message = refused(client.get(f"/api/rooms/{ROOM}/now", headers=bearer(trainee)), 401, "room_key_invalid")
    assert "not a room key" in message
    admin = admin_headers(client)
    refused(client.get(f"/api/rooms/{ROOM}/now", headers=admin), 401, "room_key_invalid")
    # Revoked: refused at once, and the list says when.
    revoked = client.post(f"/api/room-keys/{issued['key_id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused(client.get(f"/api/rooms/{ROOM}/now", headers=bearer(key)), 401, "key_revoked")
    assert client.get("/api/room-keys", params={"room": ROOM}, headers=admin).json()[0]["revoked_at"]


def test_a_key_opens_only_its_room_even_in_code(tmp_path: Any) -> None:
    from classroom.db import open_database

    db = open_database(f"sqlite:///{tmp_path / 'k.db'}")
    keys = RoomKeys(db)
    a, b = keys.issue("room-101"), keys.issue("room-202")
    assert keys.verify(a.key, "room-101").key_id == a.key_id
    with pytest.raises(RoomKeyRefused) as wrong:
        keys.verify(b.key, "room-101")
    assert wrong.value.code == "wrong_room" and wrong.value.status == 403
    keys.revoke(a.key_id)
    first = keys.list("room-101")[0].revoked_at
    keys.revoke(a.key_id)  # again: harmless, the first date stays
    assert keys.list("room-101")[0].revoked_at == first
