"""The steps a scene is made of, as the rooms file writes them (``do:`` names the kind).

    - {do: power, device: projector, power: on}
    - {do: wait_ready, device: projector}          # until warmed up (PJLink power 3 → 1)
    - {do: input, device: projector, input: digital1}
    - {do: position, position: lectern}
    - {do: mute, device: mic, muted: false}
    - {do: gain, device: mic, channel: 1, gain_db: 0}
    - {do: volume, device: display, level: 30}
    - {do: wait, seconds: 2}

Every step may set its own ``timeout`` (seconds; each kind has a default) and ``on_failure``
(``continue`` or ``stop``; the scene's policy if unset). A step that drives one device through
its facade is run as the equivalent direct command (`command()`, devices/commands.py), so
a scene keeps the same settings as a person would. Whether the named devices exist and
are of the right kind is checked against the room (devices/rooms_file/references.py).
"""

from __future__ import annotations

import enum
from typing import Annotated, ClassVar, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from devices.rooms_file.names import check_name
from devices import commands

DeviceName = Annotated[str, AfterValidator(check_name)]


class OnFailure(str, enum.Enum):
    CONTINUE = "continue"
    STOP = "stop"


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    timeout: float | None = Field(None, gt=0, le=600, description="Seconds; the kind's default if unset.")
    on_failure: OnFailure | None = Field(None, description="continue or stop; the scene's if unset.")

    default_timeout: ClassVar[float] = 10.0

    @property
    def limit(self) -> float:
        return self.timeout if self.timeout is not None else self.default_timeout


class PowerStep(_Step):
    do: Literal["power"]
    device: DeviceName
    power: bool

    @property
    def label(self) -> str:
        return f"{self.device}: power {'on' if self.power else 'off'}"

    def command(self) -> commands.Power:
        return commands.Power(do="power", power=self.power)


class WaitReadyStep(_Step):
    """Wait until the device reports that it is on (a projector's lamp takes 30-60 s)."""

    do: Literal["wait_ready"]
    device: DeviceName

    default_timeout: ClassVar[float] = 90.0

    @property
    def label(self) -> str:
        return f"{self.device}: wait until ready"


class InputStep(_Step):
    do: Literal["input"]
    device: DeviceName
    input: str = Field(min_length=1, max_length=32)

    @property
    def label(self) -> str:
        return f"{self.device}: input {self.input}"

    def command(self) -> commands.Input:
        return commands.Input(do="input", input=self.input)


class PositionStep(_Step):
    do: Literal["position"]
    position: DeviceName

    default_timeout: ClassVar[float] = 15.0  # the camera answers once it has arrived

    @property
    def label(self) -> str:
        return f"camera to {self.position}"


class MuteStep(_Step):
    do: Literal["mute"]
    device: DeviceName
    muted: bool
    channel: int | None = Field(None, ge=1, le=64, description="A microphone channel; all if unset.")

    @property
    def label(self) -> str:
        where = f" channel {self.channel}" if self.channel else ""
        return f"{self.device}{where}: {'mute' if self.muted else 'unmute'}"

    def command(self) -> commands.Mute:
        return commands.Mute(do="mute", muted=self.muted, channel=self.channel)


class GainStep(_Step):
    do: Literal["gain"]
    device: DeviceName
    gain_db: float = Field(ge=-110, le=30)
    channel: int = Field(1, ge=1, le=64)

    @property
    def label(self) -> str:
        return f"{self.device} channel {self.channel}: gain {self.gain_db:g} dB"

    def command(self) -> commands.Gain:
        return commands.Gain(do="gain", gain_db=self.gain_db, channel=self.channel)


class VolumeStep(_Step):
    do: Literal["volume"]
    device: DeviceName
    level: int = Field(ge=0, le=100)

    @property
    def label(self) -> str:
        return f"{self.device}: volume {self.level}"

    def command(self) -> commands.Volume:
        return commands.Volume(do="volume", level=self.level)


class WaitStep(_Step):
    do: Literal["wait"]
    seconds: float = Field(gt=0, le=600)

    @property
    def limit(self) -> float:
        return self.seconds + (self.timeout or 1.0)  # a wait cannot time out by itself

    @property
    def label(self) -> str:
        return f"wait {self.seconds:g} s"


SceneStep = Annotated[
    Union[PowerStep, WaitReadyStep, InputStep, PositionStep, MuteStep, GainStep, VolumeStep, WaitStep],
    Field(discriminator="do"),
]
