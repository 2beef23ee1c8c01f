"""Which class the room is in now: the server's `GET /api/rooms/{room}/now`, with the room key.

The answer carries a join token of the room role for the running class, so the agent never
holds anything but its room key. `FixedClass` is the same seam for one given class (a join
link handed on the command line, and the tests that run before a schedule exists).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError


class ScheduledClass(BaseModel):
    id: str
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    join_token: str


class RoomNow(BaseModel):
    room: str
    class_: ScheduledClass | None = None
    next: ScheduledClass | None = None

    model_config = {"populate_by_name": True}

    @classmethod
    def parse(cls, data: object) -> "RoomNow":
        if isinstance(data, dict) and "class" in data:
            data = {**data, "class_": data["class"]}
        return cls.model_validate(data)


class ScheduleRefused(Exception):
    """The server refused the room key (wrong room, revoked): retrying will not help soon."""


class Schedule(Protocol):
    async def now(self) -> RoomNow: ...

    async def report(self, status: dict[str, object]) -> None:
        """Send the agent's status to the server (the console shows it), if it can."""
        ...


class RoomSchedule:
    def __init__(self, server: str, room: str, key: str, verify: bool | str = True, timeout: float = 10.0):
        base = f"{server.rstrip('/')}/api/rooms/{quote(room, safe='')}"
        self.url, self.report_url = f"{base}/now", f"{base}/agent"
        self.room = room
        self._headers = {"Authorization": f"Bearer {key}"}
        self._verify = verify
        self._timeout = timeout

    async def now(self) -> RoomNow:
        """Raises httpx.TransportError when the server is unreachable, ScheduleRefused on 401/403/404."""
        async with httpx.AsyncClient(verify=self._verify, timeout=self._timeout) as client:
            response = await client.get(self.url, headers=self._headers)
        if response.status_code in (401, 403, 404):
            raise ScheduleRefused(f"{response.status_code}: {response.text[:300]}")
        if response.status_code != 200:
            raise httpx.TransportError(f"server answered {response.status_code}")
        try:
            return RoomNow.parse(response.json())
        except (ValueError, ValidationError) as exc:
            raise httpx.TransportError(f"unexpected answer from {self.url}: {exc}") from exc


    async def report(self, status: dict[str, object]) -> None:
        async with httpx.AsyncClient(verify=self._verify, timeout=self._timeout) as client:
            response = await client.put(self.report_url, headers=self._headers, json=status)
        if response.status_code != 204:
            raise httpx.TransportError(f"status report refused: {response.status_code} {response.text[:200]}")


class FixedClass:
    """Always the same class, given by its id and a room-role join token."""

    def __init__(self, room: str, class_id: str, join_token: str):
        self._now = RoomNow(room=room, class_=ScheduledClass(id=class_id, join_token=join_token))
        self.ended = False

    async def now(self) -> RoomNow:
        return RoomNow(room=self._now.room) if self.ended else self._now

    async def report(self, status: dict[str, object]) -> None:
        return None  # no room key: nothing to report with
