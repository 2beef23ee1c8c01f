from __future__ import annotations

import stat
from pathlib import Path

import pytest

from classroom.errors import DatabaseError
from signaling.errors import SettingsError
from signaling.server.services import Services
from signaling.server.settings import Settings


def test_opens_everything_in_the_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = Services.open(Settings.load(data_dir=data))
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {p.name for p in data.iterdir()} >= {
        "classbridge.db",
        "signing-keys.json",
        "admin-token",
    }
    second = Services.open(Settings.load(data_dir=data))
    assert second.admin_token.value == first.admin_token.value
    assert second.keyring.keys() == first.keyring.keys()
    assert first.links.public_url == "http://127.0.0.1:8000"


def test_unusable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SettingsError, match="data_dir: cannot create"):
        Services.open(Settings.load(data_dir=blocker / "data"))


def test_bad_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError):
        Services.open(Settings.load(data_dir=tmp_path, database_url="postgresql+nodriver://h/db"))
