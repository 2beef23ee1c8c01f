"""What the REST API needs from the live classes (the signaling hub), as a narrow Protocol.

The hub that owns WebSocket connections (classroom/hub.py) implements it.
"""

from __future__ import annotations

from typing import Protocol

from classroom.checkin.register import CheckInView


class LiveClasses(Protocol):
    async def end_class(self, class_id: str) -> None:
        """Disconnect everyone in the class (it has just been marked ended in the database)."""

    def participant_count(self, class_id: str) -> int:
        """How many participants are connected to the class right now."""

    async def checkin_changed(self, checkin: CheckInView) -> None:
        """A trainee checked in to (or out of) the class from the room: tell its lecturers."""

