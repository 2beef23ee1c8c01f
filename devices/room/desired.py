"""Desired state: the settings a scene (or a person, through classbridge) asked a device for.

When a poll shows a device that differs (a display switched to another input with its
remote), the controller sets it back. Power is not re-applied: switching a projector off by
hand is a deliberate act, and the schedule's idle rule takes care of rooms left on. Switching
a device off through classbridge forgets its other settings, which mean nothing while off.

This module is the one mapping between commands and kept settings, both ways: which setting a
command makes the desired state own (`setting_of`), and which command puts a drifted setting
back (`restoring`).
"""

from __future__ import annotations

from dataclasses import dataclass

from devices.commands import Command, Gain, Input, Mute, Power, Volume
from devices.room.device_view import DeviceView
from devices.transport.state import LinkState

DRIFTABLE = ("input", "muted", "volume", "gain")  # "gain.N" is channel N's gain, "gain.*" all
ALL_GAINS = "gain.*"
Setting = str | bool | int | float


@dataclass(frozen=True)
class Owner:
    """Who keeps a setting: a person (an actor kind and their name) or a scene (its title).
    The console words the kind in its language; `label` is the English form for logs."""

    kind: str  # an ActorKind value, or "scene"
    name: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}" if self.name else self.kind


@dataclass(frozen=True)
class Want:
    value: Setting
    owner: Owner  # shown in the console: "scene Bắt đầu buổi học", "technician Anh Tuấn"


def setting_of(command: Command) -> tuple[str, Setting] | None:
    """(attribute, value) the desired state keeps after `command` succeeded, if any."""
    if isinstance(command, Input):
        return ("input", command.input)
    if isinstance(command, Volume):
        return ("volume", command.level)
    if isinstance(command, Mute) and command.channel is None:
        return ("muted", command.muted)
    if isinstance(command, Gain):
        return (f"gain.{command.channel}" if command.channel else ALL_GAINS, command.gain_db)
    return None


def restoring(attribute: str, value: Setting) -> Command:
    """The command that puts a drifted setting back."""
    if attribute == "input":
        return Input(do="input", input=str(value))
    if attribute == "muted":
        return Mute(do="mute", muted=bool(value))
    if attribute == "volume":
        return Volume(do="volume", level=int(value))
    channel = None if attribute == ALL_GAINS else int(attribute.split(".", 1)[1])
    return Gain(do="gain", gain_db=float(value), channel=channel)


def _actual(view: DeviceView, attribute: str) -> object:
    if attribute == ALL_GAINS:  # one gain while every channel has it, else all of them
        gains = sorted(set((view.gain_db or {}).values()))
        return gains[0] if len(gains) == 1 else (gains or None)
    if attribute.startswith("gain."):
        return (view.gain_db or {}).get(int(attribute.split(".", 1)[1]))
    value: object = getattr(view, attribute)
    return value


class DesiredState:
    def __init__(self) -> None:
        self._wants: dict[str, dict[str, Want]] = {}

    def want(self, device: str, attribute: str, value: Setting, owner: Owner) -> None:
        if attribute.split(".", 1)[0] not in DRIFTABLE:
            raise ValueError(f"{attribute!r} is not a setting the controller keeps")
        self._wants.setdefault(device, {})[attribute] = Want(value, owner)

    def after(self, device: str, command: Command, owner: Owner) -> None:
        """`command` succeeded on `device`: own the setting it makes; switching off forgets
        the device's settings."""
        setting = setting_of(command)
        if setting is not None:
            if setting[0].startswith("gain."):  # all channels and one channel replace each other
                wants = self._wants.get(device, {})
                for attribute in [a for a in wants if a.startswith("gain.") and ALL_GAINS in (a, setting[0])]:
                    del wants[attribute]
            self.want(device, *setting, owner=owner)
        if isinstance(command, Power) and not command.power:
            self.forget(device)

    def forget(self, device: str) -> None:
        self._wants.pop(device, None)

    def of(self, device: str) -> dict[str, Want]:
        return dict(self._wants.get(device, {}))

    def drift(self, view: DeviceView) -> list[tuple[str, object, Want]]:
        """(attribute, actual, wanted) for every owned setting the device reports otherwise.

        Only a device that is online and on (or has no power state, like a microphone) is
        compared: an off display reports no input, which is not drift.
        """
        if view.link is not LinkState.ONLINE or view.power not in ("on", None):
            return []
        found = []
        for attribute, want in self.of(view.name).items():
            actual = _actual(view, attribute)
            if actual is not None and actual != want.value:
                found.append((attribute, actual, want))
        return found
