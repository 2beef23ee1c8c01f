"""Reading zeep reply objects into our records: lenient about optional parts, strict about
what the call is for. zeep replies are attribute trees; SimpleNamespace stands in for them."""

from __future__ import annotations

from types import SimpleNamespace as NS

import pytest

from devices.drivers.base import PanTiltZoom
from devices.errors import ProtocolError
from devices.onvif.models import (
    CameraPreset,
    DeviceInformation,
    MediaProfile,
    PtzStatus,
    position_from,
)

VECTOR = NS(PanTilt=NS(x=0.5, y=-0.25), Zoom=NS(x=0.75))


def test_device_information_tolerates_missing_fields() -> None:
    info = DeviceInformation.from_reply(NS(Manufacturer="Sony", Model="SRG-X120", SerialNumber=None))
    assert info == DeviceInformation("Sony", "SRG-X120", "", "", "")


def test_profile_with_and_without_ptz() -> None:
    ptz = NS(DefaultContinuousPanTiltVelocitySpace="v", DefaultContinuousZoomVelocitySpace="z",
             DefaultAbsolutePantTiltPositionSpace="a", DefaultRelativePanTiltTranslationSpace=None)
    main = MediaProfile.from_reply(NS(
        token="main", Name="Main",
        VideoEncoderConfiguration=NS(Encoding="H264", Resolution=NS(Width=1920, Height=1080)),
        PTZConfiguration=ptz,
    ))
    assert (main.encoding, main.width, main.ptz, main.continuous, main.zoom, main.absolute, main.relative) == (
        "H264", 1920, True, True, True, True, False
    )
    bare = MediaProfile.from_reply(NS(token="t"))
    assert (bare.name, bare.encoding, bare.width, bare.ptz) == ("t", None, None, False)
    with pytest.raises(ProtocolError, match="without a token"):
        MediaProfile.from_reply(NS(Name="x"))


def test_positions_and_status() -> None:
    assert position_from(VECTOR) == PanTiltZoom(0.5, -0.25, 0.75)
    assert position_from(NS(PanTilt=NS(x=0.1, y=0.2))) == PanTiltZoom(0.1, 0.2, 0.0)
    assert position_from(NS(Zoom=NS(x=1))) is None
    status = PtzStatus.from_reply(NS(Position=VECTOR, MoveStatus=NS(PanTilt="MOVING", Zoom="UNKNOWN"), Error=None))
    assert (status.pan_tilt_moving, status.zoom_moving, status.error) == (True, None, None)
    with pytest.raises(ProtocolError, match="no pan/tilt position"):
        PtzStatus.from_reply(NS(Position=None))


def test_presets() -> None:
    assert CameraPreset.from_reply(NS(token="1", Name="Door", PTZPosition=VECTOR)) == CameraPreset(
        "1", "Door", PanTiltZoom(0.5, -0.25, 0.75)
    )
    assert CameraPreset.from_reply(NS(token="2")).position is None
    with pytest.raises(ProtocolError):
        CameraPreset.from_reply(NS(Name="x"))
