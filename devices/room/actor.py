"""Who asked for something in a room: recorded with every command, scene run and log entry.

The room controller does not authenticate anyone (the server does, in signaling/); it only
carries the actor through to the event log and the audit log. The schedule and the
controller itself (re-applying a drifted setting) act under their own names.
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field


class ActorKind(str, enum.Enum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    LECTURER = "lecturer"
    SCHEDULE = "schedule"
    CONTROLLER = "controller"  # supervision: drift corrections, link changes


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: ActorKind
    name: str = Field(max_length=100, description="Who: a technician's or lecturer's name, a class id.")

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.name}" if self.name else self.kind.value


SUPERVISION = Actor(kind=ActorKind.CONTROLLER, name="supervision")
