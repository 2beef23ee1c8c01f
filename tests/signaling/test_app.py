from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from classroom import classes
from classroom.hub import ClassHub
from classroom.models import AttendanceRecord
from classroom.roles import Role
from signaling.server.app import create_app
from signaling.server.settings import Settings
from tests.signaling.conftest import RecordingLive
from signaling.server.state import server_of


def test_state_is_wired(settings: Settings, live: RecordingLive) -> None:
    app = create_app(settings, live)
    state = server_of(app)
    assert state.settings is settings and state.live is live
    assert state.hub is None and state.connection_deps is None  # a stand-in: no signaling here


def test_without_a_stand_in_the_real_hub_serves_signaling(settings: Settings) -> None:
    app = create_app(settings)
    assert isinstance(server_of(app).live, ClassHub) and server_of(app).hub is server_of(app).live
    with TestClient(app) as client, client.websocket_connect("/ws/nope") as socket:
        socket.send_json({"type": "join", "v": 1, "token": "not-a-token"})
        reply = socket.receive_json()
    assert reply["type"] == "error" and reply["code"] == "token_invalid" and reply["fatal"]


def test_shutdown_closes_open_attendance(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app):
        cid = classes.create(server_of(app).services.db, "t").id
        server_of(app).services.attendance.joined(cid, "p1", Role.TRAINEE, None, None)
    with server_of(app).services.db() as session:
        (row,) = session.scalars(select(AttendanceRecord))
    assert row.left_at is not None and row.leave_reason == "server_stopped"
