"""When a room prepares itself for a class, and when it switches itself off (the rooms file).

    schedule:
      before_class_minutes: 10   # run the start scene this long before a class begins
      after_class_minutes: 5     # run the end scene this long after it ends
      idle_off_minutes: 30       # no class and no activity this long: run the idle scene

Scenes default by name: ``start`` and ``end`` when the room has scenes so named, and the end
scene when idle. `devices/room/scheduler.py` does the running.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from devices.rooms_file.names import check_name

SceneName = Annotated[str, AfterValidator(check_name)]


class RoomSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start_scene: SceneName | None = Field(None, description="Before each class; 'start' if unset.")
    end_scene: SceneName | None = Field(None, description="After each class; 'end' if unset.")
    idle_scene: SceneName | None = Field(None, description="When idle; the end scene if unset.")
    before_class_minutes: float = Field(10.0, ge=0, le=240)
    after_class_minutes: float = Field(5.0, ge=0, le=240)
    idle_off_minutes: float | None = Field(
        30.0, gt=0, le=24 * 60, description="Minutes without class or activity; null = never."
    )

    def resolved(self, scenes: Collection[str]) -> RoomSchedule:
        """The scenes to run, defaulted by name to what the room has."""
        start = self.start_scene or ("start" if "start" in scenes else None)
        end = self.end_scene or ("end" if "end" in scenes else None)
        return self.model_copy(
            update={"start_scene": start, "end_scene": end, "idle_scene": self.idle_scene or end}
        )
