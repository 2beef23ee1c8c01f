"""References inside a room: every problem found at once, each with its location."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from devices.rooms_file.references import ReferenceProblems
from devices.rooms_file import Room

DEVICES = [
    {"name": "camera", "protocol": "visca", "link": {"transport": "udp", "host": "h"}},
    {"name": "projector", "protocol": "pjlink", "host": "h"},
    {"name": "mic", "protocol": "shure", "host": "h"},
]


def room(**parts: Any) -> Room:
    return Room.model_validate({"name": "r", "devices": DEVICES, **parts})


def problems_of(**parts: Any) -> list[tuple[tuple[str | int, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        room(**parts)
    (error,) = caught.value.errors()
    found = error["ctx"]["error"]
    assert isinstance(found, ReferenceProblems)
    return found.problems


def test_a_consistent_room() -> None:
    r = room(
        positions=[{"name": "lectern", "camera": "camera", "preset": 1}],
        scenes=[{"name": "start", "steps": [{"do": "position", "position": "lectern"}]}],
    )
    assert r.scene("start") is not None and r.position("lectern") is not None
    assert r.scene("nope") is None and r.position("nope") is None


def test_every_problem_is_located() -> None:
    found = problems_of(
        positions=[
            {"name": "lectern", "camera": "projector", "preset": 1},
            {"name": "lectern", "camera": "ghost", "preset": 2},
        ],
        scenes=[
            {
                "name": "start",
                "steps": [
                    {"do": "input", "device": "mic", "input": "hdmi1"},
                    {"do": "power", "device": "ghost", "power": True},
                    {"do": "position", "position": "stage"},
                    {"do": "gain", "device": "mic", "gain_db": 0},
                ],
            },
            {"name": "start", "steps": [{"do": "wait", "seconds": 1}]},
        ],
        schedule={"end_scene": "finish"},
    )
    assert found == [
        (("positions", 1, "name"), "position 'lectern' is named twice"),
        (("scenes", 1, "name"), "scene 'start' is named twice"),
        (("positions", 0, "camera"), "'projector' is a display, not a camera"),
        (("positions", 1, "camera"), "no device 'ghost' in this room (devices: camera, projector, mic)"),
        (("scenes", 0, "steps", 0, "device"), "'mic' is a microphone, not a display"),
        (("scenes", 0, "steps", 1, "device"), "no device 'ghost' in this room (devices: camera, projector, mic)"),
        (("scenes", 0, "steps", 2, "position"), "no position 'stage' (positions: lectern)"),
        (("schedule", "end_scene"), "no scene 'finish' (scenes: start)"),
    ]


def test_power_is_for_cameras_and_displays() -> None:
    found = problems_of(scenes=[{"name": "s", "steps": [{"do": "power", "device": "mic", "power": True}]}])
    assert found == [(("scenes", 0, "steps", 0, "device"), "'mic' is a microphone, not a camera or a display")]
