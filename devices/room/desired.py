"""Desired state: the settings a scene (or a person, through classbridge) asked a device for.

When a poll shows a device that differs (a display switched to another input with its
remote), the controller sets it back. Power is not re-applied: switching a projector off by
hand is a deliberate act, and the schedule's idle rule takes care of rooms left on. Switching
a device off through classbridge forgets its other settings, which mean nothing while off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devices.room.device_view import DeviceView

# attribute -> how to read it from a view; "gain.N" reads channel N's gain
DRIFTABLE = ("input", "muted", "volume", "gain")


@dataclass(frozen=True)
class Want:
    value: Any
    owner: str  # "scene start", "technician Anh Tuấn": shown in the console


def _actual(view: DeviceView, attribute: str) -> Any:
    if attribute.startswith("gain."):
        return (view.gain_db or {}).get(int(attribute.split(".", 1)[1]))
    return getattr(view, attribute)


class DesiredState:
    def __init__(self) -> None:
        self._wants: dict[str, dict[str, Want]] = {}

    def want(self, device: str, attribute: str, value: Any, owner: str) -> None:
        if attribute.split(".", 1)[0] not in DRIFTABLE:
            raise ValueError(f"{attribute!r} is not a setting the controller keeps")
        self._wants.setdefault(device, {})[attribute] = Want(value, owner)

    def forget(self, device: str) -> None:
        self._wants.pop(device, None)

    def of(self, device: str) -> dict[str, Want]:
        return dict(self._wants.get(device, {}))

    def drift(self, view: DeviceView) -> list[tuple[str, Any, Want]]:
        """(attribute, actual, wanted) for every owned setting the device reports otherwise.

        Only a device that is online and on (or has no power state, like a microphone) is
        compared: an off display reports no input, which is not drift.
        """
        if view.link.value != "online" or view.power not in ("on", None):
            return []
        found = []
        for attribute, want in self.of(view.name).items():
            actual = _actual(view, attribute)
            if actual is not None and actual != want.value:
                found.append((attribute, actual, want))
        return found
