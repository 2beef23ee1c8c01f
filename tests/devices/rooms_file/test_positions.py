"""Camera positions: a preset or a full absolute position, never both, never half."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devices.rooms_file.positions import CameraPosition


def test_a_preset_position() -> None:
    p = CameraPosition(name="lectern", title="Bục giảng", camera="camera", preset=1)
    assert (p.preset, p.pan, p.label) == (1, None, "Bục giảng")


def test_an_absolute_position_labelled_by_name() -> None:
    p = CameraPosition(name="board", camera="camera", pan=-600, tilt=150, zoom=4000)
    assert (p.pan, p.tilt, p.zoom, p.label) == (-600, 150, 4000, "board")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"preset": 1, "pan": 0.0}, "either preset or pan/tilt/zoom"),
        ({"pan": 0.0, "tilt": 0.0}, "all of pan, tilt and zoom"),
        ({}, "a preset number, or all of pan, tilt and zoom"),
        ({"preset": 255}, "less than or equal to 254"),
    ],
)
def test_mistakes(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CameraPosition(name="p", camera="camera", **fields)


def test_names_follow_the_rooms_file_rule() -> None:
    with pytest.raises(ValidationError, match="lower-case"):
        CameraPosition(name="Bục giảng", camera="camera", preset=1)
