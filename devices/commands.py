"""The device-command catalog: everything a person or a scene can ask of one device.

One table for every caller: the API and the console send a command as JSON (``do:`` names
it), the technician CLI writes it as words (``room-101/camera preset recall 2``), and a scene
step runs the same command (devices/rooms_file/scene_steps.py). Each entry says

- which kinds of device take it (`kinds`) and which capability it needs (`needs`): `check`
  refuses with `Unsupported` before anything is sent, in the same words for every caller;
- how it reads in the event log (`label`);
- how the CLI writes it (`words`, `args`, `from_words`);
- what it does through the facades of devices/drivers/base.py (`apply`), so the catalog
  knows no protocol.

Continuous moves and zooms keep going until stopped: `stopping()` is the command that stops
them. The API's commands carry ``seconds`` (the room controller stops them after that long, so
a browser that disappears mid-press cannot leave a camera turning); the CLI's ``--for`` does
the same in the CLI process. Reads that return a value (status, position, meter levels) are
`Query` entries: the CLI offers them, the API shows device views instead.

Which setting a command makes the desired state keep is the desired state's business
(devices/room/desired.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from collections.abc import Sequence

from devices.drivers.base import (
    AnyDevice,
    Camera,
    DeviceKind,
    DeviceStatus,
    Display,
    MediaSource,
    Microphone,
    PanTiltZoom,
    PresetList,
)
from devices.errors import Unsupported

CAMERA, DISPLAY, MIC = DeviceKind.CAMERA, DeviceKind.DISPLAY, DeviceKind.MICROPHONE
Speed = Annotated[float, Field(ge=-1, le=1)]
Seconds = Annotated[float, Field(gt=0, le=30)]

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
CONTROLS = {"pan_tilt": "pan/tilt", "absolute_position": "absolute position"}
"""How a capability reads in a refusal ("has no pan/tilt control"); others drop the '_'."""


@dataclass(frozen=True)
class Options:
    """Command-line options some CLI words use."""

    speed: float = 0.5  # fraction of the fastest move / zoom
    duration: float = 0.5  # seconds a move or zoom lasts before it is stopped; 0 = keep going
    channel: int | None = None  # microphone channel; None = the whole device


def kinds_phrase(kinds: tuple[DeviceKind, ...]) -> str:
    """``a camera or a display``: how refusals name the kinds an entry is for."""
    return " or ".join(f"a {kind.value}" for kind in kinds)


def not_for(name: str, kind: DeviceKind, kinds: tuple[DeviceKind, ...]) -> str:
    """The one wording for a device of the wrong kind (commands, scene steps, positions)."""
    return f"{name!r} is a {kind.value}, not {kinds_phrase(kinds)}"


class Entry:
    """What every catalog entry declares; `check` is the one refusal before anything is sent."""

    kinds: ClassVar[tuple[DeviceKind, ...]]
    needs: ClassVar[str | None] = None  # capability attribute that must be truthy
    words: ClassVar[tuple[str, ...] | None] = None  # how the CLI writes it; None: not on the CLI
    args: ClassVar[tuple[str, ...]] = ()  # the CLI's names for the values after the words

    @property
    def label(self) -> str:
        raise NotImplementedError

    @classmethod
    def usage(cls) -> str:
        return " ".join([*(cls.words or ()), *cls.args])

    def check(self, device: AnyDevice) -> None:
        """Refuse (Unsupported) a device of another kind, or one without the capability.

        Capabilities are what the device offered when it was last connected (an ONVIF camera
        knows its own only once set up): while its link is down, the missing capability is
        not the reason, so the command goes to the driver, which tries to reach the device
        and raises the real cause (offline, rejected credentials, no answer).
        """
        if device.kind not in self.kinds:
            raise Unsupported(f"{self.label}: {not_for(device.name, device.kind, self.kinds)}")
        if not device.link.state.connected:
            return
        if self.needs is not None and not getattr(device.capabilities, self.needs, None):
            control = CONTROLS.get(self.needs, self.needs.replace("_", " "))
            raise Unsupported(f"{device.name} has no {control} control")


# words -> values ------------------------------------------------------------------------------


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


# the device's facade, by kind -----------------------------------------------------------------


def as_camera(device: AnyDevice) -> Camera:
    if isinstance(device, Camera):
        return device
    raise Unsupported(f"{device.name} is not a camera")


def as_display(device: AnyDevice) -> Display:
    if isinstance(device, Display):
        return device
    raise Unsupported(f"{device.name} is not a display")


def as_preset_list(device: AnyDevice) -> PresetList:
    if isinstance(device, PresetList):
        return device
    raise Unsupported(f"{device.name} cannot list its presets (its protocol has no such query)")


def as_media_source(device: AnyDevice) -> MediaSource:
    if isinstance(device, MediaSource):
        return device
    raise Unsupported(f"{device.name} has no media profiles (its protocol has no such query)")


def as_microphone(device: AnyDevice) -> Microphone:
    if isinstance(device, Microphone):
        return device
    raise Unsupported(f"{device.name} is not a microphone")


# commands -------------------------------------------------------------------------------------


class Command(Entry, BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Entry's class variables, declared again where pydantic looks for them.
    kinds: ClassVar[tuple[DeviceKind, ...]]
    needs: ClassVar[str | None] = None
    words: ClassVar[tuple[str, ...] | None] = None
    args: ClassVar[tuple[str, ...]] = ()

    do: str  # each command narrows it to its own literal (the union's tag)

    @property
    def label(self) -> str:
        return self.do

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        """The command the CLI's words (after `words`) describe; ValueError says what is wrong."""
        raise NotImplementedError

    def stopping(self) -> Command | None:
        """The command that ends this one's motion; None when it does not keep going."""
        return None

    async def apply(self, device: AnyDevice) -> None:
        raise NotImplementedError


class Move(Command):
    do: Literal["move"]
    pan: Speed = Field(description="-1 (left) .. 1 (right)")
    tilt: Speed = Field(description="-1 (down) .. 1 (up)")
    seconds: Seconds | None = Field(None, description="Stop by itself after this long.")
    kinds = (CAMERA,)
    needs = "pan_tilt"
    words = ("move",)
    args = ("DIRECTION",)

    @property
    def label(self) -> str:
        return f"move pan {self.pan:+.2f} tilt {self.tilt:+.2f}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        pan, tilt = direction(values[0])
        return cls(do="move", pan=pan * options.speed, tilt=tilt * options.speed)

    def stopping(self) -> Command | None:
        return Stop(do="stop")

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).move(self.pan, self.tilt)


class Stop(Command):
    do: Literal["stop"]
    kinds = (CAMERA,)
    needs = "pan_tilt"
    words = ("stop",)

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="stop")

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).stop_move()


class Zoom(Command):
    do: Literal["zoom"]
    speed: Speed = Field(description="-1 (wide) .. 1 (tele); 0 stops.")
    seconds: Seconds | None = Field(None, description="Stop by itself after this long.")
    kinds = (CAMERA,)
    needs = "zoom"
    words = ("zoom",)
    args = ("in|out|stop",)

    @property
    def label(self) -> str:
        return f"zoom {self.speed:+.2f}" if self.speed else "zoom stop"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        if values[0] == "stop":
            return cls(do="zoom", speed=0.0)
        return cls(do="zoom", speed=zoom_direction(values[0]) * options.speed)

    def stopping(self) -> Command | None:
        return Zoom(do="zoom", speed=0.0) if self.speed else None

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).zoom(self.speed)


class Home(Command):
    do: Literal["home"]
    kinds = (CAMERA,)
    needs = "home"
    words = ("home",)

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="home")

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).home()


class PresetRecall(Command):
    do: Literal["preset_recall"]
    preset: int = Field(ge=0, le=254, description="The camera's own preset number.")
    kinds = (CAMERA,)
    needs = "presets"
    words = ("preset", "recall")
    args = ("N",)

    @property
    def label(self) -> str:
        return f"preset recall {self.preset}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="preset_recall", preset=integer(values[0]))

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).recall_preset(self.preset)


class PresetSave(Command):
    do: Literal["preset_save"]
    preset: int = Field(ge=0, le=254)
    kinds = (CAMERA,)
    needs = "presets"
    words = ("preset", "save")
    args = ("N",)

    @property
    def label(self) -> str:
        return f"preset save {self.preset}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="preset_save", preset=integer(values[0]))

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).save_preset(self.preset)


class GoTo(Command):
    """An absolute position in the camera's own units (the console's position pad)."""

    do: Literal["go_to"]
    pan: float
    tilt: float
    zoom: float
    kinds = (CAMERA,)
    needs = "absolute_position"
    words = ("go-to",)
    args = ("PAN", "TILT", "ZOOM")

    @property
    def label(self) -> str:
        return f"go to pan {self.pan:g} tilt {self.tilt:g} zoom {self.zoom:g}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        pan, tilt, zoom = (number(value) for value in values)
        return cls(do="go_to", pan=pan, tilt=tilt, zoom=zoom)

    async def apply(self, device: AnyDevice) -> None:
        await as_camera(device).go_to(PanTiltZoom(self.pan, self.tilt, self.zoom))


class Power(Command):
    do: Literal["power"]
    power: bool
    kinds = (CAMERA, DISPLAY)
    needs = "power"
    words = ("power",)
    args = ("on|off",)

    @property
    def label(self) -> str:
        return f"power {'on' if self.power else 'off'}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="power", power=on_off(values[0]))

    async def apply(self, device: AnyDevice) -> None:
        if isinstance(device, Camera):
            await device.set_power(self.power)
        else:
            await as_display(device).set_power(self.power)


class Input(Command):
    do: Literal["input"]
    input: str = Field(min_length=1, max_length=32)
    kinds = (DISPLAY,)
    words = ("input",)
    args = ("NAME",)

    @property
    def label(self) -> str:
        return f"input {self.input}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="input", input=values[0])

    async def apply(self, device: AnyDevice) -> None:
        await as_display(device).set_input(self.input)


class Volume(Command):
    do: Literal["volume"]
    level: int = Field(ge=0, le=100)
    kinds = (DISPLAY,)
    needs = "volume"
    words = ("volume",)
    args = ("0-100",)

    @property
    def label(self) -> str:
        return f"volume {self.level}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="volume", level=integer(values[0]))

    async def apply(self, device: AnyDevice) -> None:
        await as_display(device).set_volume(self.level)


class Mute(Command):
    do: Literal["mute"]
    muted: bool
    channel: int | None = Field(None, ge=1, le=64, description="A microphone channel; all if unset.")
    kinds = (DISPLAY, MIC)
    needs = "mute"
    words = ("mute",)
    args = ("on|off",)

    @property
    def label(self) -> str:
        where = f" channel {self.channel}" if self.channel else ""
        return f"{'mute' if self.muted else 'unmute'}{where}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="mute", muted=on_off(values[0]), channel=options.channel)

    async def apply(self, device: AnyDevice) -> None:
        if isinstance(device, Microphone):
            await device.set_mute(self.muted, self.channel)
        elif self.channel is not None:
            raise ValueError("a display has no channels")
        else:
            await as_display(device).set_mute(self.muted)


class Gain(Command):
    do: Literal["gain"]
    gain_db: float = Field(ge=-110, le=30)
    channel: int | None = Field(None, ge=1, le=64, description="A microphone channel; all if unset.")
    kinds = (MIC,)
    needs = "gain"
    words = ("gain",)
    args = ("DB",)

    @property
    def label(self) -> str:
        where = f"channel {self.channel}" if self.channel else "all channels"
        return f"gain {self.gain_db:g} dB {where}"

    @classmethod
    def from_words(cls, values: list[str], options: Options) -> Command:
        return cls(do="gain", gain_db=number(values[0]), channel=options.channel)

    async def apply(self, device: AnyDevice) -> None:
        microphone = as_microphone(device)
        channels = [self.channel] if self.channel else range(1, microphone.capabilities.channels + 1)
        for channel in channels:
            await microphone.set_gain(self.gain_db, channel)


DeviceCommand = Annotated[
    Union[Move, Stop, Zoom, Home, PresetRecall, PresetSave, GoTo, Power, Input, Volume, Mute, Gain],
    Field(discriminator="do"),
]
COMMANDS: tuple[type[Command], ...] = get_args(get_args(DeviceCommand)[0])
COMMAND_NAMES: tuple[str, ...] = tuple(get_args(c.model_fields["do"].annotation)[0] for c in COMMANDS)


# queries: reads the CLI offers ----------------------------------------------------------------


Reading = DeviceStatus | PanTiltZoom | dict[int, float] | Sequence[object] | str
"""What a query hands back: a status, a position, meter levels, a list, a URI."""


class Query(Entry):
    """A read that returns what the device says; no arguments."""

    @property
    def label(self) -> str:
        return " ".join(self.words or ())

    async def read(self, device: AnyDevice) -> Reading:
        raise NotImplementedError


class Status(Query):
    kinds = (CAMERA, DISPLAY, MIC)
    words = ("status",)

    async def read(self, device: AnyDevice) -> DeviceStatus:
        return await device.status()


class Position(Query):
    kinds = (CAMERA,)
    words = ("position",)

    async def read(self, device: AnyDevice) -> PanTiltZoom:
        return await as_camera(device).position()


class Levels(Query):
    kinds = (MIC,)
    needs = "levels"
    words = ("levels",)

    async def read(self, device: AnyDevice) -> dict[int, float]:
        return await as_microphone(device).levels()


class Presets(Query):
    kinds = (CAMERA,)
    needs = "presets"
    words = ("presets",)

    async def read(self, device: AnyDevice) -> Sequence[object]:
        return await as_preset_list(device).presets()


class Profiles(Query):
    kinds = (CAMERA,)
    needs = "stream_uri"
    words = ("profiles",)

    async def read(self, device: AnyDevice) -> Sequence[object]:
        return await as_media_source(device).profiles()


class StreamUri(Query):
    kinds = (CAMERA,)
    needs = "stream_uri"
    words = ("stream-uri",)

    async def read(self, device: AnyDevice) -> str:
        return await as_media_source(device).stream_uri()


class SnapshotUri(Query):
    kinds = (CAMERA,)
    needs = "snapshot"
    words = ("snapshot-uri",)

    async def read(self, device: AnyDevice) -> str:
        return await as_media_source(device).snapshot_uri()


QUERIES: tuple[type[Query], ...] = (Status, Position, Levels, Presets, Profiles, StreamUri, SnapshotUri)

# The CLI's words, in the order its help lists them (longer words first where they share a start).
ON_THE_CLI: tuple[type[Entry], ...] = (
    Status, Move, Stop, Zoom, PresetRecall, PresetSave, Presets, Home, GoTo, Position, Profiles,
    StreamUri, SnapshotUri, Power, Input, Volume, Mute, Gain, Levels,
)  # fmt: skip


def cli_entries(kind: DeviceKind) -> list[type[Entry]]:
    return [entry for entry in ON_THE_CLI if kind in entry.kinds]


def from_words(kind: DeviceKind, words: list[str], options: Options) -> Command | Query:
    """The catalog entry the CLI's words name for a device of `kind`, with its values.

    ValueError says what the kind understands, or what is wrong with a value.
    """
    for entry in cli_entries(kind):
        count = len(entry.words or ())
        if tuple(words[:count]) != entry.words:
            continue
        values = words[count:]
        if len(values) != len(entry.args):
            raise ValueError(f"usage: {entry.usage()}")
        if issubclass(entry, Query):
            return entry()
        assert issubclass(entry, Command)
        try:
            return entry.from_words(values, options)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise ValueError(problems) from None
    choices = "; ".join(entry.usage() for entry in cli_entries(kind))
    raise ValueError(f"a {kind.value} understands: {choices}")
