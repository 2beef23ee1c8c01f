"""A real app with the example room on simulators, for the room API and WebSocket tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from classroom.checkin.register import CheckInView

from devices.rooms_file import load_rooms
from signaling.server.app import create_app
from signaling.server.rooms import EXAMPLE_ROOMS, RoomService
from signaling.server.settings import Settings
from tests.support.wait import wait_until
from signaling.server.state import server_of

FAST = {"ready_poll": 0.1}


class NobodyLive:
    """No hub: nobody is connected to any class."""

    async def end_class(self, class_id: str) -> None:
        return None

    async def checkin_changed(self, checkin: "CheckInView") -> None:
        return None

    def participant_count(self, class_id: str) -> int:
        return 0


@contextmanager
def simulated_app(data_dir: Path, **settings: Any) -> Iterator[TestClient]:
    """The app serving the example room on simulators; returns once the rooms are ready."""
    rooms = RoomService(
        load_rooms(EXAMPLE_ROOMS, environ={}, require_secrets=False),
        simulated=True,
        source="simulated example",
        controller_options=FAST,
    )
    app = create_app(Settings.load(data_dir=data_dir, **settings), NobodyLive(), rooms)
    with TestClient(app) as client:

        def started() -> bool:
            assert rooms.failed is None, rooms.failed
            return rooms.ready.is_set()

        wait_until(started, what="the simulated rooms to start")
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def admin_headers(client: TestClient) -> dict[str, str]:
    return bearer(server_of(client.app).services.admin_token.value)


def token_of(link: str) -> str:
    return link.split("#t=", 1)[1]


def lecturer_token(client: TestClient, room: str | None) -> str:
    body = {"title": "Lớp thử", **({"room": room} if room else {})}
    created = client.post("/api/classes", json=body, headers=admin_headers(client))
    assert created.status_code == 201, created.text
    return token_of(created.json()["links"]["lecturer"])


def join_token(client: TestClient, role: str) -> str:
    created = client.post("/api/classes", json={"title": "Lớp", "room": "room-101"}, headers=admin_headers(client))
    return token_of(created.json()["links"][role])


def technician_token(client: TestClient, name: str = "Trần Văn Tuấn") -> str:
    issued = client.post("/api/technicians/links", json={"name": name}, headers=admin_headers(client))
    assert issued.status_code == 201, issued.text
    return token_of(issued.json()["link"])
