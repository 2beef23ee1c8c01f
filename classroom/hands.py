"""Raised hands as an ordered queue: first raised, first asked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RaisedHand:
    participant_id: str
    raised_at: datetime


class HandQueue:
    def __init__(self) -> None:
        self._hands: dict[str, datetime] = {}  # insertion order is the queue's order

    def raise_hand(self, participant_id: str, at: datetime) -> bool:
        """False when the hand was already up (it keeps its place)."""
        if participant_id in self._hands:
            return False
        self._hands[participant_id] = at
        return True

    def lower(self, participant_id: str) -> bool:
        """False when the hand was not up."""
        return self._hands.pop(participant_id, None) is not None

    def __contains__(self, participant_id: object) -> bool:
        return participant_id in self._hands

    def queue(self) -> tuple[RaisedHand, ...]:
        return tuple(RaisedHand(pid, at) for pid, at in self._hands.items())
