"""The rooms file's devices: which devices a room has and how to reach them.

One pydantic model per protocol, joined in a discriminated union on `protocol`, so that a
mistake is reported with the device and the field. Loading the YAML file (and naming the file
in errors) lives in devices/rooms_file/loader.py. Secrets may be given as `password_env: NAME` so that
they stay out of the file.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal, Protocol, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devices.drivers.base import DeviceKind
from devices.errors import ConfigError
from devices.rooms_file.names import check_name

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SerialLink(_Strict):
    """An RS-232/RS-422 line: a device path (/dev/ttyUSB0) or a pyserial URL (socket://gw:4001)."""

    transport: Literal["serial"] = "serial"
    port: str
    baudrate: int = Field(9600, ge=1200, le=115200)


class TcpLink(_Strict):
    transport: Literal["tcp"] = "tcp"
    host: str
    port: int = Field(ge=1, le=65535)


class UdpLink(_Strict):
    transport: Literal["udp"] = "udp"
    host: str
    port: int = Field(52381, ge=1, le=65535)


class _Device(_Strict):
    name: str = Field(description="Unique within the room; lower-case letters, digits, '-' and '_'.")
    role: str | None = Field(None, description="What the room uses it for: main-camera, led-wall, ...")
    poll_interval: float = Field(10.0, gt=0, le=3600, description="Seconds between health polls.")
    timeout: float = Field(2.0, gt=0, le=60, description="Seconds to wait for one answer.")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        return check_name(v)


class ViscaCameraConfig(_Device):
    kind: Literal[DeviceKind.CAMERA] = DeviceKind.CAMERA
    protocol: Literal["visca"]
    link: Annotated[Union[SerialLink, TcpLink, UdpLink], Field(discriminator="transport")]
    address: int = Field(1, ge=1, le=7, description="Camera address on the VISCA chain.")
    presets: int = Field(16, ge=0, le=256)


class OnvifCameraConfig(_Device):
    kind: Literal[DeviceKind.CAMERA] = DeviceKind.CAMERA
    protocol: Literal["onvif"]
    host: str
    port: int = Field(80, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    password_env: str | None = Field(None, description="Environment variable holding the password.")
    profile: str | None = Field(None, description="Media profile token; the first H.264 one if unset.")


class MdcDisplayConfig(_Device):
    kind: Literal[DeviceKind.DISPLAY] = DeviceKind.DISPLAY
    protocol: Literal["mdc"]
    link: Annotated[Union[SerialLink, TcpLink], Field(discriminator="transport")]
    display_id: int = Field(0, ge=0, le=253, description="MDC display id (254 is broadcast: no replies).")


class PJLinkProjectorConfig(_Device):
    kind: Literal[DeviceKind.DISPLAY] = DeviceKind.DISPLAY
    protocol: Literal["pjlink"]
    host: str
    port: int = Field(4352, ge=1, le=65535)
    password: str | None = None
    password_env: str | None = None


class ShureMicrophoneConfig(_Device):
    kind: Literal[DeviceKind.MICROPHONE] = DeviceKind.MICROPHONE
    protocol: Literal["shure"]
    host: str
    port: int = Field(2202, ge=1, le=65535)
    channels: int = Field(8, ge=1, le=64)


class Secured(Protocol):
    name: str
    password: str | None
    password_env: str | None


def password_of(cfg: Secured) -> str | None:
    """The device's password: given in the file, or read from the variable `password_env` names.

    A rooms file's secrets are already resolved by its loader (which names the file's line);
    this serves configs built in code. A variable that is named but not set is a
    configuration mistake naming device and variable.
    """
    if cfg.password_env is None or cfg.password is not None:
        return cfg.password
    try:
        return os.environ[cfg.password_env]
    except KeyError:
        raise ConfigError(
            f"{cfg.name}: password_env names {cfg.password_env!r}, but that environment variable is not set"
        ) from None


DeviceConfig = Annotated[
    Union[
        ViscaCameraConfig,
        OnvifCameraConfig,
        MdcDisplayConfig,
        PJLinkProjectorConfig,
        ShureMicrophoneConfig,
    ],
    Field(discriminator="protocol"),
]
