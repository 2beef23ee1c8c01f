"""A check-in reaches the lecturer's connection as a `checkin` message, in one process and
through the media workers (the server process tells the worker that carries the class), and
a trainee's connection never hears of it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from classroom.db import open_database
from signaling.ws.client import ClassClient
from signaling.ws.messages import CheckIn, Pong
from tests.integration.conftest import ADMIN_TOKEN, Server
from tests.support.checkin import enrol

pytestmark = pytest.mark.webrtc
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def lesson(server: Server) -> dict:
    now = datetime.now(UTC)
    body = {
        "title": "Lớp điểm danh tại phòng", "room": "room-101", "allow_overlap": True,
        "starts_at": (now - timedelta(minutes=1)).isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat(),
    }  # fmt: skip
    created = httpx.post(f"{server.url}/api/classes", json=body, headers=ADMIN, timeout=10)
    created.raise_for_status()
    enrol(open_database(f"sqlite:///{server.served.data_dir / 'classbridge.db'}"), created.json()["id"])
    return dict(created.json())


async def quiet_since(client: ClassClient) -> list[str]:
    """The types of the messages the client got up to an answered ping (it heard nothing else)."""
    await client.ping()
    seen = []
    while True:
        message = await asyncio.wait_for(client.events.get(), 15)
        if isinstance(message, Pong):
            return seen
        seen.append(message.type)


async def test_the_lecturer_hears_of_each_check_in_and_check_out(server: Server, cleanup: list[ClassClient]) -> None:
    created = lesson(server)
    class_id = created["id"]
    lecturer = await server.client(class_id, created["links"]["lecturer"], "Cô Lan")
    trainee = await server.client(class_id, created["links"]["trainee"], "Anh Minh")
    cleanup += [lecturer, trainee]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as phone:
        key = (await phone.post("/api/rooms/room-101/keys", headers=ADMIN)).json()["key"]
        code = (await phone.get("/api/rooms/room-101/checkin", headers={"Authorization": f"Bearer {key}"})).json()
        assert code["class_id"] == class_id
        await phone.get("/checkin")  # the device cookie
        ticket = (await phone.post("/checkin/pin", json={"pin": code["pin"]})).json()["ticket"]
        done = await phone.post("/checkin/confirm", json={"external_id": "HV-002"}, headers={"Authorization": f"Bearer {ticket}"})
        assert done.status_code == 200, done.text
        heard: CheckIn = await lecturer.next_event("checkin", timeout=20)
        assert (heard.external_id, heard.name, heard.checked_out_at) == ("HV-002", "Trần Thị Bình", None)
        out = await phone.post("/checkin/checkout", json={"class_id": class_id})
        assert out.status_code == 200, out.text
        left: CheckIn = await lecturer.next_event("checkin", timeout=20)
        assert left.external_id == "HV-002" and left.checked_out_at is not None
    assert "checkin" not in await quiet_since(trainee)
