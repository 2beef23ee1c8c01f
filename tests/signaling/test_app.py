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


def test_state_is_wired(settings: Settings, live: RecordingLive) -> None:
    app = create_app(settings, live)
    state = app.state
    assert state.settings is settings and state.live is live
    assert state.db is state.services.db
    assert state.tokens is state.services.tokens and state.attendance is state.services.attendance


def test_without_a_stand_in_the_real_hub_serves_signaling(settings: Settings) -> None:
    app = create_app(settings)
    assert isinstance(app.state.live, ClassHub) and app.state.hub is app.state.live
    with TestClient(app) as client, client.websocket_connect("/ws/nope") as socket:
        socket.send_json({"type": "join", "v": 1, "token": "not-a-token"})
        reply = socket.receive_json()
    assert reply["type"] == "error" and reply["code"] == "token_invalid" and reply["fatal"]


def test_shutdown_closes_open_attendance(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app):
        cid = classes.create(app.state.db, "t").id
        app.state.attendance.joined(cid, "p1", Role.TRAINEE, None, None)
    with app.state.db() as session:
        (row,) = session.scalars(select(AttendanceRecord))
    assert row.left_at is not None and row.leave_reason == "server_stopped"
