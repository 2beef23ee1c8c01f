"""How scenes and positions are summarised for clients."""

from __future__ import annotations

from devices.rooms_file.positions import CameraPosition
from devices.room.room_view import PositionInfo, SceneInfo
from devices.rooms_file.scenes import Scene


def test_scene_and_position_summaries() -> None:
    scene = Scene.model_validate({"name": "end", "steps": [{"do": "wait", "seconds": 1}]})
    assert SceneInfo.of(scene).model_dump() == {"name": "end", "title": "end", "lecturer": False, "steps": ["wait 1 s"]}
    position = CameraPosition(name="lectern", title="Bục giảng", camera="camera", preset=2)
    assert PositionInfo.of(position).model_dump() == {
        "name": "lectern", "title": "Bục giảng", "camera": "camera", "preset": 2,
    }  # fmt: skip
