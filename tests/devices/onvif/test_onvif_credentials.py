"""Where the password comes from: the file, or a named environment variable."""

from __future__ import annotations

import pytest

from devices.config import OnvifCameraConfig
from devices.errors import ConfigError
from devices.onvif.credentials import password_of


def config(**fields: object) -> OnvifCameraConfig:
    return OnvifCameraConfig(name="cam", protocol="onvif", host="127.0.0.1", **fields)  # type: ignore[arg-type]


def test_from_the_file_or_none() -> None:
    assert password_of(config(password="pw")) == "pw"
    assert password_of(config()) is None


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOM101_CAM", "from-env")
    assert password_of(config(password="ignored", password_env="ROOM101_CAM")) == "from-env"


def test_a_missing_variable_names_the_device_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOM101_CAM", raising=False)
    with pytest.raises(ConfigError, match="cam: password_env names 'ROOM101_CAM'"):
        password_of(config(password_env="ROOM101_CAM"))
