"""The naming rule for everything a rooms file names: rooms, devices, positions, scenes.

Names appear in ROOM/DEVICE references on the command line and in API paths, so they are
kept to lower-case letters, digits, '-' and '_'.
"""

from __future__ import annotations

import re

NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_name(v: str) -> str:
    if not NAME_RE.match(v):
        raise ValueError("use lower-case letters, digits, '-' and '_' (at most 63 characters)")
    return v
