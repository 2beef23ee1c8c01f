"""Who may do what to a room: the permission matrix through the real API, and its pieces.

The matrix is written out here by hand (not derived from the code under test): every kind of
principal against every action, each sent as the real HTTP request to the example room on
simulators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from signaling.auth.room_access import (
    ACTIONS,
    AccessDenied,
    Credentials,
    Principal,
    PrincipalKind,
    allowed,
    require,
)
from classroom import classes
from classroom.roles import Role
from signaling.auth.technicians import TechnicianTokens
from tests.support.rooms import (
    admin_headers,
    bearer,
    join_token,
    lecturer_token,
    simulated_app,
    technician_token,
    token_of,
)
from signaling.server.state import server_of

ROOM = "/api/rooms/room-101"
CMD = f"{ROOM}/devices/{{}}/commands"

REQUESTS: dict[str, tuple[str, str, Any]] = {
    "list": ("GET", "/api/rooms", None),
    "view": ("GET", ROOM, None),
    "device": ("GET", f"{ROOM}/devices/camera", None),
    "events": ("GET", f"{ROOM}/events", None),
    "move": ("POST", CMD.format("camera"), {"do": "move", "pan": 0.2, "tilt": 0, "seconds": 0.1}),
    "stop": ("POST", CMD.format("camera"), {"do": "stop"}),
    "zoom": ("POST", CMD.format("camera"), {"do": "zoom", "speed": 0}),
    "home": ("POST", CMD.format("camera"), {"do": "home"}),
    "preset_recall": ("POST", CMD.format("camera"), {"do": "preset_recall", "preset": 1}),
    "preset_save": ("POST", CMD.format("camera"), {"do": "preset_save", "preset": 5}),
    "go_to": ("POST", CMD.format("camera"), {"do": "go_to", "pan": 0, "tilt": 0, "zoom": 0}),
    "power": ("POST", CMD.format("display"), {"do": "power", "power": True}),
    "input": ("POST", CMD.format("display"), {"do": "input", "input": "hdmi1"}),
    "volume": ("POST", CMD.format("display"), {"do": "volume", "level": 25}),
    "mute": ("POST", CMD.format("mic"), {"do": "mute", "muted": False}),
    "gain": ("POST", CMD.format("mic"), {"do": "gain", "gain_db": 0, "channel": 1}),
    "position": ("POST", f"{ROOM}/positions/lectern", None),
    "lecturer scene": ("POST", f"{ROOM}/scenes/presentation/runs", None),
    "technician scene": ("POST", f"{ROOM}/scenes/end/runs", None),
    "audit": ("GET", "/api/audit", None),
    "technician link": ("POST", "/api/technicians/links", {"name": "Người mới"}),
}
EVERYTHING = set(REQUESTS)
LECTURER = {
    "list", "view", "device", "events", "move", "stop", "zoom", "home", "preset_recall",
    "position", "mute", "lecturer scene",
}  # fmt: skip
EXPECTED: dict[str, set[str]] = {
    "admin": EVERYTHING,
    "technician": EVERYTHING - {"technician link"},
    "lecturer": LECTURER,
    "lecturer of another room": {"list"},  # an empty list: no room of theirs is controlled here
    "lecturer of a class without room": {"list"},
    "trainee": set(),
    "observer": set(),
    "room agent": set(),
}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with simulated_app(tmp_path_factory.mktemp("access") / "data") as c:
        yield c


def removed_room_lecturer(client: TestClient) -> str:
    """A lecturer of a class booked in a room since taken out of the rooms file (the API books
    classes only in rooms of the rooms file: `unknown_room`)."""
    services = server_of(client.app).services
    booked = classes.create(services.db, "Lớp phòng cũ", "room-999")
    return token_of(services.links.link(booked.id, Role.LECTURER).url)


@pytest.fixture(scope="module")
def principals(client: TestClient) -> dict[str, dict[str, str]]:
    return {
        "admin": admin_headers(client),
        "technician": bearer(technician_token(client)),
        "lecturer": bearer(lecturer_token(client, "room-101")),
        "lecturer of another room": bearer(removed_room_lecturer(client)),
        "lecturer of a class without room": bearer(lecturer_token(client, None)),
        "trainee": bearer(join_token(client, "trainee")),
        "observer": bearer(join_token(client, "observer")),
        "room agent": bearer(join_token(client, "room")),
    }


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(client: TestClient, principals: dict[str, dict[str, str]], who: str) -> None:
    outcomes = {}
    for action, (method, url, body) in REQUESTS.items():
        response = client.request(method, url, json=body, headers=principals[who])
        outcomes[action] = response.status_code
        if action in EXPECTED[who]:
            assert response.status_code < 400, (who, action, response.text)
        else:
            assert response.status_code == 403, (who, action, response.text)
            code = response.json()["error"]["code"]
            assert code in ("forbidden", "not_your_room", "scene_not_allowed"), (who, action, code)
    if who.startswith("lecturer"):
        listed = client.get("/api/rooms", headers=principals[who]).json()
        assert [r["name"] for r in listed] == (["room-101"] if who == "lecturer" else [])


def test_no_credential_and_bad_credentials(client: TestClient) -> None:
    for method, url, body in REQUESTS.values():
        response = client.request(method, url, json=body)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "auth_required"
    for token in ("not-a-token", "eyJhbGciOiJub25lIn0.e30."):
        response = client.get(ROOM, headers=bearer(token))
        assert (response.status_code, response.json()["error"]["code"]) == (403, "auth_invalid")


def test_a_lecturer_of_an_ended_class_controls_nothing(client: TestClient) -> None:
    admin = admin_headers(client)
    created = client.post("/api/classes", json={"title": "Xong", "room": "room-101"}, headers=admin).json()
    token = created["links"]["lecturer"].split("#t=", 1)[1]
    assert client.get(ROOM, headers=bearer(token)).status_code == 200
    client.post(f"/api/classes/{created['id']}/end", headers=admin)
    response = client.get(ROOM, headers=bearer(token))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "class_ended")


def test_the_audit_log_names_each_actor(client: TestClient, principals: dict[str, dict[str, str]]) -> None:
    method, url, body = REQUESTS["volume"]
    client.request(method, url, json=body, headers=principals["technician"])
    client.request("POST", f"{ROOM}/positions/lectern", headers=principals["lecturer"])
    entries = client.get("/api/audit", params={"limit": 500}, headers=principals["admin"]).json()
    kinds = {(e["actor_kind"], e["target"]) for e in entries}
    assert ("technician", "display") in kinds and ("lecturer", "lectern") in kinds


# the pieces --------------------------------------------------------------------------------


def test_allowed_is_room_bound_for_lecturers() -> None:
    lecturer = Principal(PrincipalKind.LECTURER, "Lan", room="room-101", class_id="c")
    assert allowed(lecturer, "move", "room-101") and not allowed(lecturer, "move", "room-102")
    assert allowed(lecturer, "scene", "room-101", lecturer_scene=True)
    assert not allowed(lecturer, "scene", "room-101", lecturer_scene=False)
    assert not allowed(lecturer, "power", "room-101")
    assert lecturer.actor.label == "lecturer Lan" and lecturer.sees("room-101") and not lecturer.sees("x")
    for action in ACTIONS:
        assert allowed(Principal(PrincipalKind.ADMIN, "admin"), action, "any")
        assert not allowed(Principal(PrincipalKind.TRAINEE, "t"), action, "room-101")
    with pytest.raises(ValueError, match="unknown action"):
        allowed(lecturer, "dance", "room-101")


@pytest.mark.parametrize(
    ("principal", "action", "room", "code"),
    [
        (Principal(PrincipalKind.LECTURER, "L", room="a"), "move", "b", "not_your_room"),
        (Principal(PrincipalKind.LECTURER, "L", room="a"), "scene", "a", "scene_not_allowed"),
        (Principal(PrincipalKind.LECTURER, "L", room="a"), "power", "a", "forbidden"),
        (Principal(PrincipalKind.OBSERVER, "O"), "view", "a", "forbidden"),
        (Principal(PrincipalKind.TECHNICIAN, "T"), "technician_link", None, "forbidden"),
    ],
)
def test_require_says_why(principal: Principal, action: str, room: str | None, code: str) -> None:
    with pytest.raises(AccessDenied) as caught:
        require(principal, action, room)
    assert caught.value.code == code and caught.value.status == 403


def test_an_expired_technician_link(client: TestClient) -> None:
    credentials: Credentials = server_of(client.app).room_credentials
    issued = credentials.technicians
    old = TechnicianTokens(issued.keyring, issued.public_url, timedelta(hours=1), clock=lambda: 1_000_000.0)
    token = old.link("Cũ").link.split("#t=", 1)[1]
    with pytest.raises(AccessDenied) as caught:
        credentials.principal(token)
    assert caught.value.code == "token_expired"
