"""What the ONVIF driver hands back: small frozen records read out of zeep's reply objects.

Reading is lenient (cameras leave out optional parts) but never guesses: a missing value is
None, and a reply without what the call is for raises ProtocolError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devices.drivers.base import PanTiltZoom
from devices.errors import ProtocolError


def _get(obj: Any, path: str) -> Any:
    """Follow dotted attributes through a zeep object; None as soon as one is missing."""
    for step in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, step, None)
    return obj


def _float(obj: Any, path: str) -> float | None:
    value = _get(obj, path)
    return float(value) if value is not None else None


@dataclass(frozen=True)
class DeviceInformation:
    manufacturer: str
    model: str
    firmware_version: str
    serial_number: str
    hardware_id: str

    @classmethod
    def from_reply(cls, reply: Any) -> DeviceInformation:
        return cls(*(str(_get(reply, f) or "") for f in (
            "Manufacturer", "Model", "FirmwareVersion", "SerialNumber", "HardwareId"
        )))


@dataclass(frozen=True)
class MediaProfile:
    """A media profile; `ptz` is whether it carries a PTZConfiguration (PTZ calls need one)."""

    token: str
    name: str
    encoding: str | None
    width: int | None
    height: int | None
    ptz: bool
    continuous: bool  # the PTZConfiguration names default spaces for each kind of move
    zoom: bool
    absolute: bool
    relative: bool

    @classmethod
    def from_reply(cls, profile: Any) -> MediaProfile:
        token = _get(profile, "token")
        if not token:
            raise ProtocolError("GetProfiles returned a profile without a token")
        encoder = _get(profile, "VideoEncoderConfiguration")
        ptz = _get(profile, "PTZConfiguration")
        width, height = _get(encoder, "Resolution.Width"), _get(encoder, "Resolution.Height")
        return cls(
            token=str(token),
            name=str(_get(profile, "Name") or token),
            encoding=str(_get(encoder, "Encoding")) if _get(encoder, "Encoding") else None,
            width=int(width) if width is not None else None,
            height=int(height) if height is not None else None,
            ptz=ptz is not None,
            continuous=_get(ptz, "DefaultContinuousPanTiltVelocitySpace") is not None,
            zoom=_get(ptz, "DefaultContinuousZoomVelocitySpace") is not None,
            absolute=_get(ptz, "DefaultAbsolutePantTiltPositionSpace") is not None,
            relative=_get(ptz, "DefaultRelativePanTiltTranslationSpace") is not None,
        )


def position_from(vector: Any) -> PanTiltZoom | None:
    """A PTZVector (generic spaces) as PanTiltZoom; None when the camera gave no pan/tilt."""
    pan, tilt = _float(vector, "PanTilt.x"), _float(vector, "PanTilt.y")
    if pan is None or tilt is None:
        return None
    return PanTiltZoom(pan=pan, tilt=tilt, zoom=_float(vector, "Zoom.x") or 0.0)


@dataclass(frozen=True)
class PtzStatus:
    position: PanTiltZoom
    pan_tilt_moving: bool | None  # None: the camera does not report it
    zoom_moving: bool | None
    error: str | None

    @classmethod
    def from_reply(cls, status: Any) -> PtzStatus:
        position = position_from(_get(status, "Position"))
        if position is None:
            raise ProtocolError("GetStatus returned no pan/tilt position")

        def moving(axis: str) -> bool | None:
            value = _get(status, f"MoveStatus.{axis}")
            return None if value in (None, "UNKNOWN") else value == "MOVING"

        error = _get(status, "Error")
        return cls(position, moving("PanTilt"), moving("Zoom"), str(error) if error else None)


@dataclass(frozen=True)
class CameraPreset:
    """A preset as the camera lists it; `number` is classbridge's number for it, if any."""

    token: str
    name: str
    position: PanTiltZoom | None
    number: int | None = None

    @classmethod
    def from_reply(cls, preset: Any) -> CameraPreset:
        token = _get(preset, "token")
        if not token:
            raise ProtocolError("GetPresets returned a preset without a token")
        return cls(str(token), str(_get(preset, "Name") or ""), position_from(_get(preset, "PTZPosition")))
