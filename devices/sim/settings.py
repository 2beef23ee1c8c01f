"""What a simulator takes from the device it stands in for: its port and its password."""

from __future__ import annotations

from typing import Protocol

from devices.errors import ConfigError
from devices.rooms_file.device_config import Secured, password_of


def simulated_password(cfg: Secured) -> str | None:
    """What a simulator of this device asks for: its password if known; None runs it without auth."""
    try:
        return password_of(cfg)
    except ConfigError:
        return None


class _Listening(Protocol):
    @property
    def port(self) -> int: ...
    @property
    def model_fields_set(self) -> set[str]: ...


def simulated_port(cfg: _Listening) -> int:
    """Where a simulator of this device listens: the file's port only when it names one
    explicitly, else any free port (a protocol's default would collide across devices)."""
    return cfg.port if "port" in cfg.model_fields_set else 0
