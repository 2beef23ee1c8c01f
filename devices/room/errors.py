"""Errors of the room layer: a name that does not exist in the room (or among the rooms).

Device failures keep their own types (devices/errors.py); the API turns `NotFound` into 404
with a code per kind (``room_not_found``, ``device_not_found``, ...).
"""

from __future__ import annotations

from collections.abc import Iterable

from devices.errors import DeviceError


class RoomError(DeviceError):
    """Base of the room controller's own errors."""


class NotFound(RoomError):
    def __init__(self, what: str, name: str, known: Iterable[str]) -> None:
        listed = ", ".join(known) or "none"
        super().__init__(f"no {what} {name!r} (known: {listed})")
        self.what = what
        self.name = name
