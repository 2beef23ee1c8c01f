"""Who holds the floor: trainees whose camera and microphone go to everyone, a few at a time."""

from __future__ import annotations

from classroom.errors import FloorFull

DEFAULT_FLOOR_LIMIT = 1


class Floor:
    def __init__(self, limit: int = DEFAULT_FLOOR_LIMIT):
        if limit < 1:
            raise ValueError("at least one trainee must be able to hold the floor")
        self.limit = limit
        self._holders: list[str] = []

    def give(self, participant_id: str) -> bool:
        """False when they already hold it; FloorFull when `limit` trainees do."""
        if participant_id in self._holders:
            return False
        if len(self._holders) >= self.limit:
            raise FloorFull(self.limit)
        self._holders.append(participant_id)
        return True

    def take_back(self, participant_id: str) -> bool:
        if participant_id not in self._holders:
            return False
        self._holders.remove(participant_id)
        return True

    def __contains__(self, participant_id: object) -> bool:
        return participant_id in self._holders

    def holders(self) -> tuple[str, ...]:
        return tuple(self._holders)
