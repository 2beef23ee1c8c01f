"""Preset numbers ↔ ONVIF preset tokens: by our name first, then by numeric token."""

from __future__ import annotations

import pytest

from devices.onvif.models import CameraPreset
from devices.onvif.presets import find, name_for, numbered


def preset(token: str, name: str) -> CameraPreset:
    return CameraPreset(token=token, name=name, position=None)


def test_numeric_tokens_are_their_own_numbers() -> None:
    presets = [preset("1", "Door"), preset("2", "Desk"), preset("0012", "Board")]
    assert [p.number for p in numbered(presets)] == [1, 2, 12]


def test_our_names_win_over_tokens() -> None:
    presets = [preset("1", "classbridge-5"), preset("5", "Window"), preset("2", "Desk")]
    assert [p.number for p in numbered(presets)] == [5, None, 2]
    assert find(presets, 5) == numbered(presets)[0]
    assert find(presets, 1) is None


def test_opaque_tokens_only_by_name() -> None:
    presets = [preset("a1b2", "classbridge-3"), preset("Preset_7", "Seven"), preset("12345", "Far")]
    assert [p.number for p in numbered(presets)] == [3, None, None]


def test_names_and_range() -> None:
    assert name_for(0) == "classbridge-0" and name_for(9999) == "classbridge-9999"
    for bad in (-1, 10000):
        with pytest.raises(ValueError, match="outside 0..9999"):
            name_for(bad)
        with pytest.raises(ValueError):
            find([], bad)
