"""A whole room as the API and the console show it: devices, scenes, positions, the last run."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from devices.rooms_file.positions import CameraPosition
from devices.room.scene_run import SceneRunView
from devices.rooms_file.scenes import Scene
from devices.room.device_view import DeviceView


class SceneInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    lecturer: bool
    steps: list[str]

    @classmethod
    def of(cls, scene: Scene) -> SceneInfo:
        return cls(
            name=scene.name,
            title=scene.label,
            lecturer=scene.lecturer,
            steps=[step.label for step in scene.steps],
        )


class PositionInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    camera: str
    preset: int | None

    @classmethod
    def of(cls, position: CameraPosition) -> PositionInfo:
        return cls(
            name=position.name, title=position.label, camera=position.camera, preset=position.preset
        )


class RoomView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    devices: list[DeviceView]
    scenes: list[SceneInfo]
    positions: list[PositionInfo]
    run: SceneRunView | None = None  # the running scene, else the last one
