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
    name: str = Field(max_length=100, description="Who: a technician's or lecturer's name; empty for nobody in particular.")
    class_id: str | None = Field(
        None, max_length=100, description="The class acted for: a lecturer's link that names no person, the schedule's runs."
    )

    @property
    def label(self) -> str:
        """The English form for logs (the class only when no person is named); the pages
        word `kind` and show `name` or `class_id`."""
        if self.name or not self.class_id:
            return f"{self.kind.value} {self.name}" if self.name else self.kind.value
        return f"{self.kind.value} (class {self.class_id})"


SUPERVISION = Actor(kind=ActorKind.CONTROLLER, name="")
