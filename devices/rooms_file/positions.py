"""Named camera positions ("lectern", "whiteboard", "audience") of a room.

A position is what a lecturer or a scene asks for by name; the rooms file says which camera
goes there and how: a preset stored in the camera, or an absolute position in the camera's
own units (as `Camera.position()` reports them, so a technician can read them off the console
and write them down).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from devices.rooms_file.names import check_name


class CameraPosition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, AfterValidator(check_name)]
    title: str | None = Field(None, max_length=80, description="Shown on buttons; the name if unset.")
    camera: Annotated[str, AfterValidator(check_name)] = Field(
        description="The camera (a device name in this room) that takes the position."
    )
    preset: int | None = Field(None, ge=0, le=254, description="The camera's own preset number.")
    pan: float | None = None
    tilt: float | None = None
    zoom: float | None = None

    @model_validator(mode="after")
    def _preset_or_absolute(self) -> CameraPosition:
        absolute = (self.pan, self.tilt, self.zoom)
        if self.preset is not None and any(v is not None for v in absolute):
            raise ValueError("give either preset or pan/tilt/zoom, not both")
        if self.preset is None and any(v is None for v in absolute):
            raise ValueError("give a preset number, or all of pan, tilt and zoom")
        return self

    @property
    def label(self) -> str:
        return self.title or self.name
