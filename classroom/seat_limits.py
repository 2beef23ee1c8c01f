"""How many people of each role a class seats.

The class size a school announces is its number of trainees: the lecturer, the smart room
(its agent and room links) and observers (supervisors, inspectors) never take a trainee's
place. Each of those roles has its own, much smaller limit, so that a leaked room or
observer link cannot fill a class either.
"""

from __future__ import annotations

from dataclasses import dataclass

from classroom.roles import Role

DEFAULT_TRAINEES = 300


@dataclass(frozen=True)
class SeatLimits:
    trainees: int = DEFAULT_TRAINEES
    lecturers: int = 5
    rooms: int = 2
    observers: int = 20

    def of(self, role: Role) -> int:
        """The most people of `role` a class seats at once (the lobby included)."""
        return {
            Role.TRAINEE: self.trainees,
            Role.LECTURER: self.lecturers,
            Role.ROOM: self.rooms,
            Role.OBSERVER: self.observers,
        }[role]
