"""In-room check-in over HTTP: the room screen's PIN, the phone's ticket, roster, confirm,
checkout, the device cookie's one-person rule, the wrong-PIN limit, and the lecturer's list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient

from classroom import classes
from classroom.checkin import codes
from classroom.classes import ClassInfo
from classroom.roles import Role
from signaling.api.checkin import DEVICE_COOKIE, desk_of
from signaling.server.state import server_of
from tests.support.checkin import enrol
from tests.support.rooms import admin_headers, bearer, simulated_app

ROOM = "room-101"


@pytest.fixture
def app_client(tmp_path: Any) -> Iterator[TestClient]:
    with simulated_app(tmp_path / "data") as c:
        yield c


@pytest.fixture
def room_key(app_client: TestClient) -> dict[str, str]:
    got = app_client.post(f"/api/rooms/{ROOM}/keys", headers=admin_headers(app_client))
    return bearer(got.json()["key"])


@pytest.fixture
def lesson(app_client: TestClient) -> ClassInfo:
    db = server_of(app_client.app).services.db
    now = datetime.now(UTC)
    info = classes.create(db, "Kỹ năng lãnh đạo", ROOM, starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=1))
    enrol(db, info.id)
    return info


def phone(app_client: TestClient) -> TestClient:
    """Another phone: the same app, its own cookies."""
    other = TestClient(app_client.app)
    assert other.get("/checkin").status_code == 200
    return other


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()["error"]
    assert body["code"] == code, body
    return body


def test_the_room_screen_shows_a_pin_and_a_qr_code_that_carries_it(
    app_client: TestClient, room_key: dict[str, str], lesson: ClassInfo
) -> None:
    got = app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key)
    assert got.status_code == 200, got.text
    code = got.json()
    assert code["class_id"] == lesson.id and len(code["pin"]) == 6
    query = parse_qs(urlparse(code["url"]).query)
    assert urlparse(code["url"]).path == "/checkin" and query == {"room": [ROOM], "pin": [code["pin"]]}
    assert code["qr_svg"].startswith("<svg") and "</svg>" in code["qr_svg"]
    assert datetime.fromisoformat(code["changes_at"]) > datetime.now(UTC)
    refused(app_client.get("/api/rooms/room-202/checkin", headers=room_key), 403, "wrong_room")


def test_no_class_or_no_roster_means_no_code(app_client: TestClient, room_key: dict[str, str]) -> None:
    refused(app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key), 404, "no_class")
    db = server_of(app_client.app).services.db
    now = datetime.now(UTC)
    classes.create(db, "Không có danh sách", ROOM, starts_at=now, ends_at=now + timedelta(hours=1))
    refused(app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key), 409, "no_roster")


def test_a_trainee_checks_in_and_out_with_the_rooms_pin(
    app_client: TestClient, room_key: dict[str, str], lesson: ClassInfo
) -> None:
    pin = app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key).json()["pin"]
    mine = phone(app_client)
    assert DEVICE_COOKIE in mine.cookies
    got = mine.post("/checkin/pin", json={"pin": pin})
    assert got.status_code == 200, got.text
    ticket = got.json()
    assert ticket["class"]["id"] == lesson.id and ticket["me"] is None
    found = mine.get("/checkin/roster", params={"q": "nguyen van"}, headers=bearer(ticket["ticket"])).json()
    assert found == [{"external_id": "HV-001", "name": "Nguyễn Văn An", "unit": "Sở Nội vụ"}]
    done = mine.post("/checkin/confirm", json={"external_id": "HV-001"}, headers=bearer(ticket["ticket"]))
    assert done.status_code == 200, done.text
    assert done.json()["name"] == "Nguyễn Văn An" and done.json()["checked_out_at"] is None
    # The lecturer's page (its join token) and the admin see the list; a trainee does not.
    tokens = server_of(app_client.app).services.tokens
    lecturer = bearer(tokens.issue(lesson.id, Role.LECTURER))
    listed = app_client.get(f"/api/classes/{lesson.id}/checkins", headers=lecturer).json()
    assert [c["external_id"] for c in listed] == ["HV-001"]
    assert app_client.get(f"/api/classes/{lesson.id}/checkins", headers=admin_headers(app_client)).status_code == 200
    trainee = bearer(tokens.issue(lesson.id, Role.TRAINEE))
    refused(app_client.get(f"/api/classes/{lesson.id}/checkins", headers=trainee), 403, "forbidden")
    # The same phone typing the PIN again is told whom it checked in.
    assert mine.post("/checkin/pin", json={"pin": pin, "room": ROOM}).json()["me"]["external_id"] == "HV-001"
    out = mine.post("/checkin/checkout", json={"class_id": lesson.id})
    assert out.status_code == 200 and out.json()["checked_out_at"] is not None
    refused(phone(app_client).post("/checkin/checkout", json={"class_id": lesson.id}), 404, "not_checked_in")


def test_one_phone_checks_in_one_person(app_client: TestClient, room_key: dict[str, str], lesson: ClassInfo) -> None:
    pin = app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key).json()["pin"]
    mine = phone(app_client)
    ticket = bearer(mine.post("/checkin/pin", json={"pin": pin}).json()["ticket"])
    assert mine.post("/checkin/confirm", json={"external_id": "HV-001"}, headers=ticket).status_code == 200
    body = refused(mine.post("/checkin/confirm", json={"external_id": "HV-002"}, headers=ticket), 409, "device_used")
    assert "Nguyễn Văn An" in body["message"]
    other = phone(app_client)
    their = bearer(other.post("/checkin/pin", json={"pin": pin}).json()["ticket"])
    refused(other.post("/checkin/confirm", json={"external_id": "HV-001"}, headers=their), 409, "already_checked_in")
    refused(other.post("/checkin/confirm", json={"external_id": "HV-999"}, headers=their), 404, "not_on_roster")
    # No ticket, a forged one, an expired one.
    refused(other.post("/checkin/confirm", json={"external_id": "HV-002"}), 401, "ticket_required")
    refused(other.get("/checkin/roster", params={"q": "an"}, headers=bearer("x.y.z")), 401, "ticket_invalid")
    desk = desk_of(app_client.app)
    desk.tickets._clock = lambda: datetime.now(UTC).timestamp() + 3600
    refused(other.get("/checkin/roster", params={"q": "an"}, headers=their), 401, "ticket_expired")


def test_wrong_pins_are_limited_per_phone(app_client: TestClient, room_key: dict[str, str], lesson: ClassInfo) -> None:
    pin = app_client.get(f"/api/rooms/{ROOM}/checkin", headers=room_key).json()["pin"]
    wrong = str((int(pin) + 1) % 10**6).zfill(6)
    guesser = phone(app_client)
    for _ in range(5):
        refused(guesser.post("/checkin/pin", json={"pin": wrong}), 400, "pin_invalid")
    limited = guesser.post("/checkin/pin", json={"pin": pin})  # even the right one, now
    refused(limited, 429, "too_many_attempts")
    assert int(limited.headers["Retry-After"]) > 0
    assert phone(app_client).post("/checkin/pin", json={"pin": pin}).status_code == 200  # others are not
    refused(phone(app_client).post("/checkin/pin", json={"pin": pin, "room": "room-202"}), 400, "pin_invalid")
    refused(phone(app_client).post("/checkin/pin", json={"pin": "x" * 17}), 422, "invalid_request")


def test_an_expired_pin_is_refused(app_client: TestClient, lesson: ClassInfo) -> None:
    secret = desk_of(app_client.app).secret
    old = codes.pin(secret, lesson.id, codes.window_of(datetime.now(UTC).timestamp()) - 2)
    current = codes.current_pin(secret, lesson.id, datetime.now(UTC).timestamp())[0]
    if old != current:  # one chance in a million that they coincide
        refused(phone(app_client).post("/checkin/pin", json={"pin": old}), 400, "pin_invalid")
