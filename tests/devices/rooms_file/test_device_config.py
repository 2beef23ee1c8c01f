"""Where a device's password comes from: the file, or a named environment variable."""

from __future__ import annotations

import pytest

from devices.rooms_file.device_config import OnvifCameraConfig, PJLinkProjectorConfig, password_of
from devices.sim.settings import simulated_password
from devices.errors import ConfigError


def config(**fields: object) -> OnvifCameraConfig:
    return OnvifCameraConfig(name="cam", protocol="onvif", host="127.0.0.1", **fields)  # type: ignore[arg-type]


def test_from_the_file_or_none() -> None:
    assert password_of(config(password="pw")) == "pw"
    assert password_of(config()) is None


def test_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOM101_CAM", "from-env")
    assert password_of(config(password_env="ROOM101_CAM")) == "from-env"
    projector = PJLinkProjectorConfig(name="pj", protocol="pjlink", host="127.0.0.1", password_env="ROOM101_CAM")
    assert password_of(projector) == "from-env"


def test_an_already_resolved_password_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rooms-file loader resolves the variable into `password` and keeps the name."""
    monkeypatch.delenv("ROOM101_CAM", raising=False)
    assert password_of(config(password="resolved", password_env="ROOM101_CAM")) == "resolved"


def test_a_missing_variable_names_the_device_and_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOM101_CAM", raising=False)
    with pytest.raises(ConfigError, match="cam: password_env names 'ROOM101_CAM'"):
        password_of(config(password_env="ROOM101_CAM"))


def test_a_simulator_without_the_secret_runs_without_auth(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROOM101_CAM", raising=False)
    assert simulated_password(config(password_env="ROOM101_CAM")) is None
    assert simulated_password(config(password="pw")) == "pw"
