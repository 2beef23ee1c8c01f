"""The schedule block: scenes default by name to what the room has."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devices.rooms_file.room_schedule import RoomSchedule


def test_defaults_follow_the_room_s_scene_names() -> None:
    resolved = RoomSchedule().resolved({"start", "end", "video"})
    assert (resolved.start_scene, resolved.end_scene, resolved.idle_scene) == ("start", "end", "end")
    assert RoomSchedule().resolved({"video"}).start_scene is None


def test_named_scenes_win() -> None:
    plan = RoomSchedule(start_scene="video", idle_scene="off").resolved({"start", "end"})
    assert (plan.start_scene, plan.end_scene, plan.idle_scene) == ("video", "end", "off")


def test_ranges() -> None:
    assert RoomSchedule(idle_off_minutes=None).idle_off_minutes is None
    with pytest.raises(ValidationError):
        RoomSchedule(before_class_minutes=-1)
