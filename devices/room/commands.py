"""Direct device commands, as the API and the console send them (``do:`` names the kind).

Each command says which kinds of device take it, which capability it needs (refused with
`Unsupported` before anything is sent), how it reads in the event log, what it does through
the facade, and which setting it makes the desired state (devices/room/desired.py) keep.
Continuous moves and zooms may carry ``seconds``: the controller stops them after that long,
so a browser that disappears mid-press cannot leave a camera turning.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal, Union, get_args

from pydantic import BaseModel, ConfigDict, Field

from devices.drivers.base import DeviceKind, PanTiltZoom

CAMERA, DISPLAY, MIC = DeviceKind.CAMERA, DeviceKind.DISPLAY, DeviceKind.MICROPHONE
Speed = Annotated[float, Field(ge=-1, le=1)]
Seconds = Annotated[float, Field(gt=0, le=30)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    do: str  # each command narrows it to its own literal (the union's tag)
    kinds: ClassVar[tuple[DeviceKind, ...]]
    needs: ClassVar[str | None] = None  # capability attribute that must be truthy

    @property
    def label(self) -> str:
        return self.do

    def setting(self, kind: DeviceKind) -> tuple[str, Any] | None:
        """(attribute, value) the desired state keeps after this command succeeds."""
        return None

    async def apply(self, device: Any) -> None:
        raise NotImplementedError


class Move(Command):
    do: Literal["move"]
    pan: Speed = Field(description="-1 (left) .. 1 (right)")
    tilt: Speed = Field(description="-1 (down) .. 1 (up)")
    seconds: Seconds | None = Field(None, description="Stop by itself after this long.")
    kinds = (CAMERA,)
    needs = "pan_tilt"

    @property
    def label(self) -> str:
        return f"move pan {self.pan:+.2f} tilt {self.tilt:+.2f}"

    async def apply(self, device: Any) -> None:
        await device.move(self.pan, self.tilt)


class Stop(Command):
    do: Literal["stop"]
    kinds = (CAMERA,)
    needs = "pan_tilt"

    async def apply(self, device: Any) -> None:
        await device.stop_move()


class Zoom(Command):
    do: Literal["zoom"]
    speed: Speed = Field(description="-1 (wide) .. 1 (tele); 0 stops.")
    seconds: Seconds | None = Field(None, description="Stop by itself after this long.")
    kinds = (CAMERA,)
    needs = "zoom"

    @property
    def label(self) -> str:
        return f"zoom {self.speed:+.2f}" if self.speed else "zoom stop"

    async def apply(self, device: Any) -> None:
        await device.zoom(self.speed)


class Home(Command):
    do: Literal["home"]
    kinds = (CAMERA,)
    needs = "home"

    async def apply(self, device: Any) -> None:
        await device.home()


class PresetRecall(Command):
    do: Literal["preset_recall"]
    preset: int = Field(ge=0, le=254, description="The camera's own preset number.")
    kinds = (CAMERA,)
    needs = "presets"

    @property
    def label(self) -> str:
        return f"preset recall {self.preset}"

    async def apply(self, device: Any) -> None:
        await device.recall_preset(self.preset)


class PresetSave(Command):
    do: Literal["preset_save"]
    preset: int = Field(ge=0, le=254)
    kinds = (CAMERA,)
    needs = "presets"

    @property
    def label(self) -> str:
        return f"preset save {self.preset}"

    async def apply(self, device: Any) -> None:
        await device.save_preset(self.preset)


class GoTo(Command):
    do: Literal["go_to"]
    pan: float
    tilt: float
    zoom: float
    kinds = (CAMERA,)
    needs = "absolute_position"

    @property
    def label(self) -> str:
        return f"go to pan {self.pan:g} tilt {self.tilt:g} zoom {self.zoom:g}"

    async def apply(self, device: Any) -> None:
        await device.go_to(PanTiltZoom(self.pan, self.tilt, self.zoom))


class Power(Command):
    do: Literal["power"]
    power: bool
    kinds = (CAMERA, DISPLAY)
    needs = "power"

    @property
    def label(self) -> str:
        return f"power {'on' if self.power else 'off'}"

    async def apply(self, device: Any) -> None:
        await device.set_power(self.power)


class Input(Command):
    do: Literal["input"]
    input: str = Field(min_length=1, max_length=32)
    kinds = (DISPLAY,)

    @property
    def label(self) -> str:
        return f"input {self.input}"

    def setting(self, kind: DeviceKind) -> tuple[str, Any] | None:
        return ("input", self.input)

    async def apply(self, device: Any) -> None:
        await device.set_input(self.input)


class Volume(Command):
    do: Literal["volume"]
    level: int = Field(ge=0, le=100)
    kinds = (DISPLAY,)
    needs = "volume"

    @property
    def label(self) -> str:
        return f"volume {self.level}"

    def setting(self, kind: DeviceKind) -> tuple[str, Any] | None:
        return ("volume", self.level)

    async def apply(self, device: Any) -> None:
        await device.set_volume(self.level)


class Mute(Command):
    do: Literal["mute"]
    muted: bool
    channel: int | None = Field(None, ge=1, le=64, description="A microphone channel; all if unset.")
    kinds = (DISPLAY, MIC)
    needs = "mute"

    @property
    def label(self) -> str:
        where = f" channel {self.channel}" if self.channel else ""
        return f"{'mute' if self.muted else 'unmute'}{where}"

    def setting(self, kind: DeviceKind) -> tuple[str, Any] | None:
        return ("muted", self.muted) if self.channel is None else None

    async def apply(self, device: Any) -> None:
        if device.kind is MIC:
            await device.set_mute(self.muted, self.channel)
        elif self.channel is not None:
            raise ValueError("a display has no channels")
        else:
            await device.set_mute(self.muted)


class Gain(Command):
    do: Literal["gain"]
    gain_db: float = Field(ge=-110, le=30)
    channel: int = Field(1, ge=1, le=64)
    kinds = (MIC,)
    needs = "gain"

    @property
    def label(self) -> str:
        return f"gain {self.gain_db:g} dB channel {self.channel}"

    def setting(self, kind: DeviceKind) -> tuple[str, Any] | None:
        return (f"gain.{self.channel}", self.gain_db)

    async def apply(self, device: Any) -> None:
        await device.set_gain(self.gain_db, self.channel)


DeviceCommand = Annotated[
    Union[Move, Stop, Zoom, Home, PresetRecall, PresetSave, GoTo, Power, Input, Volume, Mute, Gain],
    Field(discriminator="do"),
]
COMMANDS: tuple[type[Command], ...] = get_args(get_args(DeviceCommand)[0])
COMMAND_NAMES: tuple[str, ...] = tuple(get_args(c.model_fields["do"].annotation)[0] for c in COMMANDS)
