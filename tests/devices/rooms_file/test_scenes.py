"""Scenes: labels and the failure policy of each step."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devices.rooms_file.scenes import Scene
from devices.rooms_file.scene_steps import OnFailure

STEPS = [
    {"do": "power", "device": "projector", "power": True},
    {"do": "input", "device": "projector", "input": "digital1", "on_failure": "stop"},
]


def test_policy_per_step_falls_back_to_the_scene() -> None:
    scene = Scene.model_validate({"name": "start", "steps": STEPS})
    assert scene.on_failure is OnFailure.CONTINUE and not scene.lecturer
    assert [scene.policy(0), scene.policy(1)] == [OnFailure.CONTINUE, OnFailure.STOP]
    strict = Scene.model_validate({"name": "start", "on_failure": "stop", "steps": STEPS[:1]})
    assert strict.policy(0) is OnFailure.STOP


def test_label_and_lecturer_flag() -> None:
    scene = Scene.model_validate({"name": "start", "title": "Bắt đầu", "lecturer": True, "steps": STEPS})
    assert scene.label == "Bắt đầu" and scene.lecturer


def test_a_scene_needs_steps() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        Scene.model_validate({"name": "empty", "steps": []})
