"""Where an ONVIF camera's password comes from: the rooms file, or an environment variable.

`password_env` keeps the secret out of the file; a variable that is named but not set is a
configuration mistake reported with the device and the field.
"""

from __future__ import annotations

import os

from devices.config import OnvifCameraConfig
from devices.errors import ConfigError


def password_of(cfg: OnvifCameraConfig) -> str | None:
    if cfg.password_env is None:
        return cfg.password
    try:
        return os.environ[cfg.password_env]
    except KeyError:
        raise ConfigError(
            f"{cfg.name}: password_env names {cfg.password_env!r}, but that environment variable is not set"
        ) from None
