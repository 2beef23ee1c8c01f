"""Scenes: a named, ordered list of steps that puts a room in a state ("start", "end", "video").

`lecturer: true` marks the scenes a lecturer may run from the class page; technicians and
the admin may run every scene. The scene's `on_failure` is the policy of steps that do not
set their own: ``continue`` (the default: a room half ready beats a room left as it was) or
``stop`` (skip the remaining steps).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from devices.rooms_file.names import check_name
from devices.rooms_file.scene_steps import OnFailure, SceneStep


class Scene(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, AfterValidator(check_name)]
    title: str | None = Field(None, max_length=80, description="Shown on buttons; the name if unset.")
    lecturer: bool = Field(False, description="A lecturer may run it from the class page.")
    on_failure: OnFailure = OnFailure.CONTINUE
    steps: list[SceneStep] = Field(min_length=1, max_length=100)

    @property
    def label(self) -> str:
        return self.title or self.name

    def policy(self, index: int) -> OnFailure:
        """What a failure of step `index` does to the rest of the scene."""
        return self.steps[index].on_failure or self.on_failure
