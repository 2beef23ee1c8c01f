"""How classbridge's preset numbers map to an ONVIF camera's preset tokens.

ONVIF preset tokens are opaque strings the camera picks when a preset is first saved
(SetPreset without a token); only an existing token can be overwritten. The room controller
and the CLI speak in numbers, as for VISCA. The mapping, recomputed from GetPresets each time
so that it survives reboots and presets made on the camera's own web page:

1. Preset N is the preset *named* `classbridge-N` — what `save_preset(N)` creates on any
   camera, whatever tokens it uses.
2. Otherwise, preset N is the preset whose *token* is the decimal string N (most PTZ cameras
   number their slots "1", "2", ... so their own presets keep their numbers), unless that
   preset is named `classbridge-M` for another M (it belongs to M by rule 1).

Saving preset N overwrites the preset N maps to (SetPreset with its token), or creates a new
one named `classbridge-N` and lets the camera choose the token.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from devices.onvif.models import CameraPreset

PREFIX = "classbridge-"
MAX_NUMBER = 9999
_OURS = re.compile(rf"^{PREFIX}(\d{{1,4}})$")


def name_for(number: int) -> str:
    check_number(number)
    return f"{PREFIX}{number}"


def check_number(number: int) -> None:
    if not 0 <= number <= MAX_NUMBER:
        raise ValueError(f"preset number {number} is outside 0..{MAX_NUMBER}")


def _named_number(preset: CameraPreset) -> int | None:
    match = _OURS.match(preset.name)
    return int(match.group(1)) if match else None


def numbered(presets: Iterable[CameraPreset]) -> list[CameraPreset]:
    """The presets with `number` filled in by the two rules above (None when neither applies)."""
    presets = list(presets)
    by_name = {n: p.token for p in presets if (n := _named_number(p)) is not None}
    result = []
    for preset in presets:
        number = _named_number(preset)
        if number is None and preset.token.isdigit() and len(preset.token) <= 4:
            candidate = int(preset.token)
            number = candidate if candidate not in by_name else None
        result.append(dataclasses.replace(preset, number=number))
    return result


def find(presets: Iterable[CameraPreset], number: int) -> CameraPreset | None:
    check_number(number)
    return next((p for p in numbered(presets) if p.number == number), None)
