from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from classroom.roles import Role
from devices.rooms_file import load_rooms
from signaling.auth.tokens import TokenService
from signaling.server.app import create_app
from signaling.server.rooms import RoomService
from signaling.server.settings import Settings
from tests.signaling.conftest import RecordingLive
from signaling.server.state import server_of

TITLE = "Bồi dưỡng kỹ năng lãnh đạo – Khoá 12"


@pytest.fixture
def client(settings: Settings, live: RecordingLive, tmp_path: Path) -> Iterator[TestClient]:
    """The app with two rooms (without devices): classes are booked in rooms of the rooms file."""
    path = tmp_path / "rooms.yaml"
    path.write_text("rooms:\n  - {name: room-101, devices: []}\n  - {name: room-102, devices: []}\n")
    rooms = RoomService(load_rooms(path), source=f"rooms from {path}")
    with TestClient(create_app(settings, live, rooms)) as c:
        yield c


def create(client: TestClient, admin: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post("/api/classes", json={"title": TITLE, **body}, headers=admin)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    message: str = body["error"]["message"]
    return message


def token_of(link: str) -> str:
    return link.split("/join#t=", 1)[1]


def test_create_returns_one_link_per_role(client: TestClient, admin: dict[str, str]) -> None:
    body = create(client, admin, room="room-101")
    assert (body["title"], body["room"], body["status"]) == (TITLE, "room-101", "created")
    assert body["participants_online"] == 0 and body["started_at"] is None
    tokens: TokenService = server_of(client.app).services.tokens
    assert set(body["links"]) == {r.value for r in Role}
    for role, link in body["links"].items():
        assert link.startswith("http://127.0.0.1:8000/join#t=")
        assert tokens.verify(token_of(link), body["id"]).role.value == role
    expires = datetime.fromisoformat(body["links_expire_at"])
    created = datetime.fromisoformat(body["created_at"])
    assert timedelta(hours=167) < expires - created <= timedelta(hours=168)


def test_get_and_list(client: TestClient, admin: dict[str, str], live: RecordingLive) -> None:
    a = create(client, admin)
    b = create(client, admin, title="Lớp B")
    live.counts[a["id"]] = 7
    got = client.get(f"/api/classes/{a['id']}", headers=admin).json()
    assert got["id"] == a["id"] and got["participants_online"] == 7 and "links" not in got
    listed = client.get("/api/classes", headers=admin).json()
    assert [c["id"] for c in listed] == [b["id"], a["id"]]
    client.post(f"/api/classes/{a['id']}/end", headers=admin)
    ended = client.get("/api/classes", params={"status": "ended"}, headers=admin).json()
    assert [c["id"] for c in ended] == [a["id"]]
    assert len(client.get("/api/classes", params={"limit": 1}, headers=admin).json()) == 1


def test_end_marks_ended_then_ends_live(
    client: TestClient, admin: dict[str, str], live: RecordingLive
) -> None:
    cid = create(client, admin)["id"]
    response = client.post(f"/api/classes/{cid}/end", headers=admin)
    assert response.status_code == 200 and response.json()["status"] == "ended"
    assert live.ended == [cid]
    message = error(client.post(f"/api/classes/{cid}/end", headers=admin), 409, "class_ended")
    assert cid in message
    assert live.ended == [cid]  # not ended twice


def test_personal_link(client: TestClient, admin: dict[str, str]) -> None:
    cid = create(client, admin)["id"]
    response = client.post(
        f"/api/classes/{cid}/links",
        json={
            "role": "trainee",
            "external_id": "HV-0153",
            "name": "Nguyễn Thị Lan",
            "ttl_hours": 3,
        },
        headers=admin,
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["class_id"], body["role"], body["external_id"], body["name"]) == (
        cid,
        "trainee",
        "HV-0153",
        "Nguyễn Thị Lan",
    )
    claims = server_of(client.app).services.tokens.verify(token_of(body["link"]), cid)
    assert claims.external_id == "HV-0153" and claims.exp == datetime.fromisoformat(
        body["expires_at"]
    )
    assert claims.exp - claims.iat == timedelta(hours=3)


def test_no_links_for_ended_class(client: TestClient, admin: dict[str, str]) -> None:
    cid = create(client, admin)["id"]
    client.post(f"/api/classes/{cid}/end", headers=admin)
    error(
        client.post(f"/api/classes/{cid}/links", json={"role": "trainee"}, headers=admin),
        409,
        "class_ended",
    )


def test_attendance_json_and_csv(client: TestClient, admin: dict[str, str]) -> None:
    cid = create(client, admin)["id"]
    log = server_of(client.app).services.attendance
    row = log.joined(cid, "p1", Role.TRAINEE, "HV-0153", "Nguyễn Thị Lan")
    log.left(row, "left")
    log.joined(cid, "p2", Role.LECTURER, None, "Thầy Hùng")
    report = client.get(f"/api/classes/{cid}/attendance", headers=admin).json()
    assert report["class_id"] == cid and report["title"] == TITLE
    people = {p["person"]: p for p in report["people"]}
    assert (
        people["external:HV-0153"]["sessions"] == 1 and not people["external:HV-0153"]["online_now"]
    )
    assert people["name:lecturer:Thầy Hùng"]["online_now"]
    response = client.get(f"/api/classes/{cid}/attendance", params={"format": "csv"}, headers=admin)
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="attendance-{cid}.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "external_id" and {r[1] for r in rows[1:]} == {
        "Nguyễn Thị Lan",
        "Thầy Hùng",
    }
    error(
        client.get(f"/api/classes/{cid}/attendance", params={"format": "xls"}, headers=admin),
        422,
        "invalid_request",
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/classes"),
        ("get", "/api/classes"),
        ("get", "/api/classes/x"),
        ("post", "/api/classes/x/end"),
        ("post", "/api/classes/x/links"),
        ("get", "/api/classes/x/attendance"),
    ],
)
def test_every_api_route_needs_the_admin_token(client: TestClient, method: str, path: str) -> None:
    no_token = client.request(method, path, json={"title": "t"})
    error(no_token, 401, "auth_required")
    assert no_token.headers["www-authenticate"] == "Bearer"
    error(
        client.request(
            method, path, json={"title": "t"}, headers={"Authorization": "Bearer wrong"}
        ),
        403,
        "auth_invalid",
    )
    error(
        client.request(method, path, headers={"Authorization": "Basic dXNlcjpwdw=="}),
        401,
        "auth_required",
    )


def test_token_prefix_or_suffix_is_not_enough(client: TestClient, admin: dict[str, str]) -> None:
    token = admin["Authorization"].removeprefix("Bearer ")
    for guess in (token[:-1], token + "x", token.upper()):
        error(
            client.get("/api/classes", headers={"Authorization": f"Bearer {guess}"}),
            403,
            "auth_invalid",
        )


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "version": "0.1.0"}


def test_bad_json(client: TestClient, admin: dict[str, str]) -> None:
    json_headers = admin | {"Content-Type": "application/json"}
    error(
        client.post("/api/classes", content=b"{not json", headers=json_headers), 400, "invalid_json"
    )
    error(
        client.post("/api/classes", content=b'"a string"', headers=json_headers),
        400,
        "invalid_json",
    )
    error(
        client.post(
            "/api/classes",
            content=b'{"title": "t"}',
            headers=admin | {"Content-Type": "text/plain"},
        ),
        400,
        "invalid_json",
    )
    error(
        client.post("/api/classes", content=b"\xff\xfe", headers=json_headers), 400, "invalid_json"
    )
    message = error(client.post("/api/classes", headers=admin), 422, "invalid_request")
    assert "body" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x" * 201}, "title"),
        ({"title": ""}, "title"),
        ({"title": "a\nb"}, "title"),
        ({"title": "t", "room": "r" * 101}, "room"),
        ({"title": "t", "unknown": 1}, "unknown"),
        ({}, "title"),
    ],
)
def test_invalid_class_bodies_name_the_field(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/classes", json=body, headers=admin)
    message = error(response, 422, "invalid_request")
    assert message.startswith(f"{field}:")
    assert response.json()["error"]["details"][0]["field"] == field
    assert client.get("/api/classes", headers=admin).json() == []  # nothing created


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "boss"}, "role"),
        ({}, "role"),
        ({"role": "trainee", "ttl_hours": -1}, "ttl_hours"),
        ({"role": "trainee", "name": "x" * 101}, "name"),
    ],
)
def test_invalid_link_bodies(
    client: TestClient, admin: dict[str, str], body: dict[str, Any], field: str
) -> None:
    cid = create(client, admin)["id"]
    message = error(
        client.post(f"/api/classes/{cid}/links", json=body, headers=admin), 422, "invalid_request"
    )
    assert message.startswith(f"{field}:")


def test_unknown_class_everywhere(
    client: TestClient, admin: dict[str, str], live: RecordingLive
) -> None:
    for response in (
        client.get("/api/classes/nope", headers=admin),
        client.post("/api/classes/nope/end", headers=admin),
        client.post("/api/classes/nope/links", json={"role": "trainee"}, headers=admin),
        client.get("/api/classes/nope/attendance", headers=admin),
    ):
        assert "nope" in error(response, 404, "class_not_found")
    assert live.ended == []


def test_bad_query_values(client: TestClient, admin: dict[str, str]) -> None:
    error(
        client.get("/api/classes", params={"status": "open"}, headers=admin), 422, "invalid_request"
    )
    error(client.get("/api/classes", params={"limit": 0}, headers=admin), 422, "invalid_request")


def test_openapi_documents_routes_auth_and_errors(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    assert {
        "/api/classes",
        "/api/classes/{class_id}",
        "/api/classes/{class_id}/end",
        "/api/classes/{class_id}/links",
        "/api/classes/{class_id}/attendance",
        "/healthz",
    } <= set(paths)
    create_op = paths["/api/classes"]["post"]
    assert "join link per role" in create_op["description"]
    assert create_op["security"] == [{"HTTPBearer": []}]
    assert {"401", "403", "422"} <= set(create_op["responses"])
    assert "409" in paths["/api/classes/{class_id}/end"]["post"]["responses"]
    assert "ErrorResponse" in spec["components"]["schemas"]
    assert "security" not in paths["/healthz"]["get"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_create_with_planned_times(client: TestClient, admin: dict[str, str]) -> None:
    body = create(client, admin, room="room-101", starts_at="2025-03-10T08:00:00+07:00", ends_at="2025-03-10T11:30:00+07:00")
    assert (body["starts_at"], body["ends_at"]) == ("2025-03-10T01:00:00Z", "2025-03-10T04:30:00Z")
    assert client.get(f"/api/classes/{body['id']}", headers=admin).json()["starts_at"] == "2025-03-10T01:00:00Z"
    for extra, message in (
        ({"room": "r", "starts_at": "2025-03-10T08:00:00"}, "timezone"),
        ({"room": "r", "starts_at": "2025-03-10T08:00:00Z"}, "give both starts_at and ends_at"),
        ({"room": "r", "starts_at": "2025-03-10T08:00:00Z", "ends_at": "2025-03-10T07:00:00Z"}, "after starts_at"),
        ({"starts_at": "2025-03-10T08:00:00Z", "ends_at": "2025-03-10T09:00:00Z"}, "needs the room"),
    ):
        response = client.post("/api/classes", json={"title": TITLE, **extra}, headers=admin)
        assert message in error(response, 422, "invalid_request")


def test_a_room_not_in_the_rooms_file_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post("/api/classes", json={"title": TITLE, "room": "phong-a2"}, headers=admin)
    message = error(response, 422, "unknown_room")
    assert message == "there is no room 'phong-a2'; the rooms are: room-101, room-102"
    assert client.get("/api/classes", headers=admin).json() == []  # nothing was created


def test_a_room_booked_at_that_time_is_refused_unless_allowed(client: TestClient, admin: dict[str, str]) -> None:
    def book(title: str, starts: str, ends: str, room: str = "room-101", **extra: Any) -> Any:
        body = {"title": title, "room": room, "starts_at": f"2025-03-10T{starts}:00+07:00", "ends_at": f"2025-03-10T{ends}:00+07:00"}
        return client.post("/api/classes", json={**body, **extra}, headers=admin)

    first = book("Khoá 12 – buổi 3", "08:00", "09:30").json()
    message = error(book("Khoá 7", "09:00", "10:00"), 409, "room_booked")
    assert message == (
        f"room 'room-101' is booked from 2025-03-10 01:00 UTC to 2025-03-10 02:30 UTC by class "
        f"{first['id']} ('Khoá 12 – buổi 3'); choose another time or room, or allow the overlap"
    )
    assert error(book("Bao trùm", "07:00", "11:00"), 409, "room_booked")
    assert [c["id"] for c in client.get("/api/classes", headers=admin).json()] == [first["id"]]
    assert book("Ngay sau", "09:30", "11:00").status_code == 201  # back to back: no overlap
    assert book("Phòng khác", "08:00", "09:30", room="room-102").status_code == 201
    shared = book("Hai lớp ghép", "08:00", "09:30", allow_overlap=True)
    assert shared.status_code == 201 and shared.json()["room"] == "room-101"
    assert "allow_overlap" in error(book("x", "08:00", "09:00", allow_overlap="có"), 422, "invalid_request")
    spec = client.get("/openapi.json").json()["paths"]["/api/classes"]["post"]["responses"]
    assert {"409", "422"} <= set(spec)
