"""Device facades shared by every protocol driver.

The room controller and the classroom see only these types: a `Camera`, a `Display`, a
`Microphone`, each with a capabilities record and a status snapshot. Protocol drivers
(VISCA, ONVIF, PJLink, MDC, Shure, ...) implement them, so that the room controller and the
classroom never know which protocol moved a camera (codec → driver → room, in three layers).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from devices.errors import DeviceError

# Re-exported: the enum lives beside its transition table (devices/transport/state.py).
from devices.transport.state import LinkState, WatchedLink


class DeviceKind(enum.Enum):
    CAMERA = "camera"
    DISPLAY = "display"
    MICROPHONE = "microphone"


@dataclass(frozen=True)
class PanTiltZoom:
    """A camera position in the camera's own units, as `Camera.position` reports it and
    `Camera.go_to` takes it back: VISCA signed 16-bit pan/tilt steps and zoom 0..0x4000, ONVIF
    the generic spaces (pan, tilt -1..1, zoom 0..1). Nothing is normalised, so a position read
    off the console can be written into the rooms file as is."""

    pan: float
    tilt: float
    zoom: float


@dataclass
class DeviceStatus:
    """A snapshot of what the driver last knew about the device."""

    link: LinkState = LinkState.OFFLINE
    power: bool | None = None
    detail: str = ""  # a human-readable reason when degraded/offline
    values: dict[str, object] = field(default_factory=dict)  # kind-specific: input, volume, mute, position
    error: DeviceError | None = field(default=None, compare=False)
    """Why the poll failed, as the device layer's error (the CLI's exit code follows it)."""


@dataclass(frozen=True)
class CameraCapabilities:
    pan_tilt: bool = True
    zoom: bool = True
    presets: int = 0  # number of preset slots; 0 = none
    absolute_position: bool = False
    home: bool = True
    power: bool = False
    stream_uri: bool = False
    snapshot: bool = False


@dataclass(frozen=True)
class DisplayCapabilities:
    power: bool = True
    inputs: tuple[str, ...] = ()  # names the driver accepts in set_input, e.g. ("hdmi1", "hdmi2")
    volume: bool = False
    mute: bool = False
    warm_up_seconds: float = 0.0  # projectors refuse commands while warming up / cooling down


@dataclass(frozen=True)
class MicrophoneCapabilities:
    mute: bool = True
    gain: bool = False
    gain_range_db: tuple[float, float] = (0.0, 0.0)
    levels: bool = False
    channels: int = 1


@runtime_checkable
class Device(Protocol):
    """What every driver offers, whatever its kind."""

    name: str
    kind: DeviceKind

    @property
    def link(self) -> WatchedLink:
        """The link's state and its changes (supervision watches it)."""

    async def start(self) -> None:
        """Open the link (and keep it open, reconnecting with backoff) until `stop`."""

    async def stop(self) -> None: ...

    async def status(self) -> DeviceStatus:
        """Query the device now (one poll) and return a fresh snapshot."""


@runtime_checkable
class Camera(Device, Protocol):
    capabilities: CameraCapabilities

    async def move(self, pan_speed: float, tilt_speed: float) -> None:
        """Start a continuous pan/tilt move; speeds in [-1, 1] (negative = left/down)."""

    async def stop_move(self) -> None: ...

    async def zoom(self, speed: float) -> None:
        """Start a continuous zoom; speed in [-1, 1] (positive = tele/in); 0 stops."""

    async def recall_preset(self, preset: int) -> None:
        """Go to a preset, numbered as the camera numbers it (VISCA `pp`, ONVIF token index)."""

    async def save_preset(self, preset: int) -> None: ...

    async def home(self) -> None: ...

    async def position(self) -> PanTiltZoom: ...

    async def go_to(self, where: PanTiltZoom) -> None:
        """Move to an absolute position in the camera's own units, as `position` reports them
        (so that a position read off the console can be written into the rooms file)."""

    async def set_power(self, on: bool) -> None: ...


@runtime_checkable
class Display(Device, Protocol):
    capabilities: DisplayCapabilities

    async def set_power(self, on: bool) -> None: ...

    async def set_input(self, name: str) -> None: ...

    async def set_volume(self, level: int) -> None:
        """Volume 0..100."""

    async def set_mute(self, muted: bool) -> None: ...


@runtime_checkable
class Microphone(Device, Protocol):
    capabilities: MicrophoneCapabilities

    async def set_mute(self, muted: bool, channel: int | None = None) -> None:
        """Mute the whole device (channel None) or one channel."""

    async def set_gain(self, gain_db: float, channel: int = 1) -> None: ...

    async def levels(self) -> dict[int, float]:
        """Latest meter readings in dBFS per channel."""


@runtime_checkable
class PresetList(Protocol):
    """A camera that can list its presets (ONVIF GetPresets; VISCA cannot)."""

    async def presets(self) -> Sequence[object]:
        """The presets as the camera lists them, numbered as `recall_preset` takes them."""


@runtime_checkable
class MediaSource(Protocol):
    """A camera that streams: its media profiles and where to fetch video and stills (ONVIF)."""

    async def profiles(self) -> Sequence[object]: ...

    async def stream_uri(self, profile: str | None = None) -> str:
        """The RTSP URI of a profile (the configured one by default)."""

    async def snapshot_uri(self, profile: str | None = None) -> str: ...


AnyDevice = Camera | Display | Microphone
"""A driver of any kind, as the room controller, the command catalog and the CLI hold it."""
