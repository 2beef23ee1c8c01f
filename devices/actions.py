"""What a technician can ask of one device, as a table: words, arguments, facade call.

``classbridge device ... room-101/camera preset recall 2`` finds the action whose words
start the command line ("preset recall"), parses the rest ("2") with the action's argument
parsers and calls the facade (`Camera.recall_preset`). The table only uses the facades, so a
display or microphone works as soon as its protocol driver exists; an action that needs a
capability the device lacks is refused with `Unsupported` before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from devices.drivers.base import DeviceKind
from devices.errors import Unsupported

DIRECTIONS: dict[str, tuple[int, int]] = {
    "left": (-1, 0),
    "right": (1, 0),
    "up": (0, 1),
    "down": (0, -1),
    "up-left": (-1, 1),
    "up-right": (1, 1),
    "down-left": (-1, -1),
    "down-right": (1, -1),
}


@dataclass(frozen=True)
class Options:
    """Command-line options some actions use."""

    speed: float = 0.5  # fraction of the fastest move / zoom
    duration: float = 0.5  # seconds a move or zoom lasts before it is stopped; 0 = keep going
    channel: int | None = None  # microphone channel; None = the whole device


def on_off(word: str) -> bool:
    if word not in ("on", "off"):
        raise ValueError(f"expected on or off, not {word!r}")
    return word == "on"


def direction(word: str) -> tuple[int, int]:
    try:
        return DIRECTIONS[word]
    except KeyError:
        raise ValueError(f"expected one of {', '.join(DIRECTIONS)}, not {word!r}") from None


def zoom_direction(word: str) -> int:
    if word not in ("in", "out"):
        raise ValueError(f"expected in or out, not {word!r}")
    return 1 if word == "in" else -1


def integer(word: str) -> int:
    try:
        return int(word)
    except ValueError:
        raise ValueError(f"expected a whole number, not {word!r}") from None


def number(word: str) -> float:
    try:
        return float(word)
    except ValueError:
        raise ValueError(f"expected a number, not {word!r}") from None


Parser = Callable[[str], Any]
Run = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class Action:
    kind: DeviceKind | None  # None: every kind
    words: tuple[str, ...]
    args: tuple[tuple[str, Parser], ...]
    run: Run  # run(device, options, *parsed_args)
    help: str
    needs: str | None = None  # capability attribute that must be truthy

    @property
    def usage(self) -> str:
        return " ".join([*self.words, *(name for name, _ in self.args)])


async def _for_a_while(
    start: Awaitable[None], stop: Callable[[], Awaitable[None]], seconds: float
) -> None:
    await start
    if seconds > 0:
        await asyncio.sleep(seconds)
        await stop()


async def _move(dev: Any, opt: Options, where: tuple[int, int]) -> None:
    pan, tilt = where
    await _for_a_while(dev.move(pan * opt.speed, tilt * opt.speed), dev.stop_move, opt.duration)


async def _zoom(dev: Any, opt: Options, sign: int) -> None:
    await _for_a_while(dev.zoom(sign * opt.speed), lambda: dev.zoom(0.0), opt.duration)


CAMERA, DISPLAY, MIC = DeviceKind.CAMERA, DeviceKind.DISPLAY, DeviceKind.MICROPHONE

ACTIONS: tuple[Action, ...] = (
    Action(None, ("status",), (), lambda d, o: d.status(), "Query the device now"),
    Action(
        CAMERA,
        ("move",),
        (("DIRECTION", direction),),
        _move,
        "Pan/tilt for --for seconds",
        "pan_tilt",
    ),
    Action(CAMERA, ("stop",), (), lambda d, o: d.stop_move(), "Stop a pan/tilt move", "pan_tilt"),
    Action(CAMERA, ("zoom", "stop"), (), lambda d, o: d.zoom(0.0), "Stop zooming", "zoom"),
    Action(
        CAMERA, ("zoom",), (("in|out", zoom_direction),), _zoom, "Zoom for --for seconds", "zoom"
    ),
    Action(
        CAMERA,
        ("preset", "recall"),
        (("N", integer),),
        lambda d, o, n: d.recall_preset(n),
        "Go to preset N (the camera's own number)",
        "presets",
    ),
    Action(
        CAMERA,
        ("preset", "save"),
        (("N", integer),),
        lambda d, o, n: d.save_preset(n),
        "Save the current position as preset N",
        "presets",
    ),
    Action(CAMERA, ("home",), (), lambda d, o: d.home(), "Go to the home position", "home"),
    Action(CAMERA, ("position",), (), lambda d, o: d.position(), "Read pan, tilt and zoom"),
    Action(
        None,
        ("power",),
        (("on|off", on_off),),
        lambda d, o, on: d.set_power(on),
        "Power on or standby",
        "power",
    ),
    Action(
        DISPLAY,
        ("input",),
        (("NAME", str),),
        lambda d, o, name: d.set_input(name),
        "Select an input",
        "inputs",
    ),
    Action(
        DISPLAY,
        ("volume",),
        (("0-100", integer),),
        lambda d, o, v: d.set_volume(v),
        "Set the volume",
        "volume",
    ),
    Action(
        DISPLAY,
        ("mute",),
        (("on|off", on_off),),
        lambda d, o, m: d.set_mute(m),
        "Mute the audio",
        "mute",
    ),
    Action(
        MIC,
        ("mute",),
        (("on|off", on_off),),
        lambda d, o, m: d.set_mute(m, o.channel),
        "Mute the device, or one --channel",
        "mute",
    ),
    Action(
        MIC,
        ("gain",),
        (("DB", number),),
        lambda d, o, db: d.set_gain(db, o.channel or 1),
        "Set a channel's gain in dB",
        "gain",
    ),
    Action(MIC, ("levels",), (), lambda d, o: d.levels(), "Latest meter levels", "levels"),
)


def actions_for(kind: DeviceKind) -> list[Action]:
    return [action for action in ACTIONS if action.kind in (None, kind)]


def parse(kind: DeviceKind, words: list[str]) -> tuple[Action, list[Any]]:
    """The action and its parsed arguments; ValueError says what a kind accepts."""
    for action in actions_for(kind):
        count = len(action.words)
        if tuple(words[:count]) != action.words:
            continue
        rest = words[count:]
        if len(rest) != len(action.args):
            raise ValueError(f"usage: {action.usage}")
        return action, [parser(word) for (_, parser), word in zip(action.args, rest, strict=True)]
    choices = "; ".join(action.usage for action in actions_for(kind))
    raise ValueError(f"a {kind.value} understands: {choices}")


async def perform(device: Any, action: Action, args: list[Any], options: Options) -> Any:
    if action.needs is not None and not getattr(device.capabilities, action.needs, None):
        raise Unsupported(f"{device.name} has no {action.needs.replace('_', '/')} control")
    return await action.run(device, options, *args)
