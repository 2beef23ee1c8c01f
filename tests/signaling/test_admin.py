from __future__ import annotations

import stat
from pathlib import Path

import pytest

from signaling.auth.admin import ADMIN_TOKEN_FILE, load_admin_token
from signaling.errors import SecretFileError
from signaling.server.settings import Settings


def test_generated_once_owner_only(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path)
    first = load_admin_token(settings)
    path = tmp_path / ADMIN_TOKEN_FILE
    assert first.created and first.path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first.value) >= 32 and path.read_text().strip() == first.value
    again = load_admin_token(settings)
    assert not again.created and again.value == first.value


def test_setting_wins_and_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSBRIDGE_ADMIN_TOKEN", "a-long-enough-admin-token")
    token = load_admin_token(Settings.load(data_dir=tmp_path))
    assert token.value == "a-long-enough-admin-token" and token.path is None
    assert not (tmp_path / ADMIN_TOKEN_FILE).exists()


def test_never_shown_in_full(tmp_path: Path) -> None:
    token = load_admin_token(Settings.load(data_dir=tmp_path))
    for text in (token.describe(), repr(token), str(token)):
        assert token.value not in text and token.value[:4] in text
    assert str(tmp_path / ADMIN_TOKEN_FILE) in token.describe()


def test_matches(tmp_path: Path) -> None:
    token = load_admin_token(Settings.load(data_dir=tmp_path))
    assert token.matches(token.value)
    assert not token.matches(token.value[:-1]) and not token.matches("") and not token.matches("é")


def test_short_or_open_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ADMIN_TOKEN_FILE
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(SecretFileError, match="shorter than 16"):
        load_admin_token(Settings.load(data_dir=tmp_path))
    path.write_text("x" * 40)
    path.chmod(0o640)
    with pytest.raises(SecretFileError, match="chmod 600"):
        load_admin_token(Settings.load(data_dir=tmp_path))
