"""One device as the console and the API show it: link, power, input, mute, volume, position.

Drivers report a `DeviceStatus` whose `values` differ per protocol (VISCA pan/tilt/zoom steps,
ONVIF a position record, PJLink a power state with warming/cooling, Shure per-channel gains);
`DeviceView` is the one shape every client reads, with the controls the device offers so a
UI shows only buttons that work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from devices.rooms_file.device_config import DeviceConfig
from devices.drivers.base import (
    AnyDevice,
    CameraCapabilities,
    DeviceKind,
    DeviceStatus,
    DisplayCapabilities,
    LinkState,
    PanTiltZoom,
)

Power = Literal["on", "off", "warming", "cooling"]
POWER_STATES = set(get_args(Power))


class Position(BaseModel):
    model_config = ConfigDict(frozen=True)

    pan: float
    tilt: float
    zoom: float


class Controls(BaseModel):
    """What can be asked of the device (from the driver's capabilities)."""

    model_config = ConfigDict(frozen=True)

    pan_tilt: bool = False
    zoom: bool = False
    presets: int = 0
    absolute_position: bool = False
    home: bool = False
    power: bool = False
    inputs: list[str] = Field(default_factory=list)
    volume: bool = False
    mute: bool = False
    gain: bool = False
    gain_range_db: tuple[float, float] | None = None
    channels: int = 0


class DeviceView(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    kind: DeviceKind
    protocol: str
    role: str | None
    link: LinkState
    power: Power | None = None
    input: str | None = None
    muted: bool | None = None
    volume: int | None = None
    position: Position | None = None
    gain_db: dict[int, float] | None = None
    detail: str = Field("", description="Why the device is offline, degraded or not reporting.")
    polled_at: datetime | None = None
    controls: Controls
    desired: dict[str, Any] = Field(
        default_factory=dict, description="Settings a scene or a person owns; re-applied on drift."
    )

    def same_as(self, other: DeviceView) -> bool:
        """Equal apart from when it was polled (a poll that changed nothing is not news)."""
        ignore = {"polled_at"}
        return self.model_dump(exclude=ignore) == other.model_dump(exclude=ignore)


def controls_of(device: AnyDevice) -> Controls:
    caps = device.capabilities
    if isinstance(caps, CameraCapabilities):
        return Controls(
            pan_tilt=caps.pan_tilt,
            zoom=caps.zoom,
            presets=caps.presets,
            absolute_position=caps.absolute_position,
            home=caps.home,
            power=caps.power,
        )
    if isinstance(caps, DisplayCapabilities):
        return Controls(power=caps.power, inputs=list(caps.inputs), volume=caps.volume, mute=caps.mute)
    return Controls(
        mute=caps.mute,
        gain=caps.gain,
        gain_range_db=caps.gain_range_db if caps.gain else None,
        channels=caps.channels,
    )


def initial_view(cfg: DeviceConfig, device: AnyDevice, link: LinkState) -> DeviceView:
    return DeviceView(
        name=cfg.name,
        kind=cfg.kind,
        protocol=cfg.protocol,
        role=cfg.role,
        link=link,
        controls=controls_of(device),
    )


def reported(status: DeviceStatus) -> dict[str, object]:
    """The normalised fields a status carries; empty when the device told us nothing."""
    values = status.values
    fields: dict[str, object] = {}
    power_state = values.get("power_state")
    if isinstance(power_state, str) and power_state in POWER_STATES:
        fields["power"] = power_state
    elif status.power is not None:
        fields["power"] = "on" if status.power else "off"
    if isinstance(values.get("input"), str):
        fields["input"] = values["input"]
    if isinstance(values.get("muted"), bool):
        fields["muted"] = values["muted"]
    if isinstance(values.get("volume"), int):
        fields["volume"] = values["volume"]
    axes = [values.get(axis) for axis in ("pan", "tilt", "zoom")]
    where = values.get("position")
    if all(isinstance(a, (int, float)) for a in axes):
        fields["position"] = Position(pan=axes[0], tilt=axes[1], zoom=axes[2])  # type: ignore[arg-type]
    elif isinstance(where, PanTiltZoom):
        fields["position"] = Position(pan=where.pan, tilt=where.tilt, zoom=where.zoom)
    gains = values.get("gain_db")
    if isinstance(gains, dict):
        fields["gain_db"] = dict(gains)
    return fields
