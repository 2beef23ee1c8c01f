from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from signaling.errors import SecretFileError
from signaling.auth.keys import KEYRING_FILE, SECRET_BYTES, Keyring


def test_created_on_first_open_with_one_key(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    assert ring.created
    assert stat.S_IMODE((tmp_path / KEYRING_FILE).stat().st_mode) == 0o600
    (key,) = ring.keys()
    assert ring.signing_key() == key and len(key.key_bytes) == SECRET_BYTES
    again = Keyring.open(tmp_path)
    assert not again.created and again.keys() == [key]


def test_rotate_keeps_old_keys_verifying(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    old = ring.signing_key()
    new = ring.rotate()
    assert ring.signing_key() == new != old
    assert ring.verification_key(old.kid) == old
    assert [k.kid for k in ring.keys()] == [old.kid, new.kid]
    assert stat.S_IMODE(ring.path.stat().st_mode) == 0o600


def test_rotate_drop_old(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    old = ring.signing_key()
    ring.rotate()
    newest = ring.rotate(drop_old=True)
    assert ring.keys() == [newest]
    assert ring.verification_key(old.kid) is None


def test_other_process_rotation_is_seen_without_restart(tmp_path: Path) -> None:
    server = Keyring.open(tmp_path)
    cli = Keyring.open(tmp_path)
    new = cli.rotate(drop_old=True)
    assert server.signing_key() == new
    assert server.verification_key(new.kid) == new


def test_injected_clock_dates_keys(tmp_path: Path) -> None:
    moment = datetime(2025, 9, 2, 7, 0, tzinfo=UTC)
    assert Keyring.open(tmp_path, clock=lambda: moment).signing_key().created_at == moment


def test_secrets_are_never_in_repr(tmp_path: Path) -> None:
    key = Keyring.open(tmp_path).signing_key()
    secret = key.secret.get_secret_value()
    assert secret in (tmp_path / KEYRING_FILE).read_text()
    assert key.kid in repr(key) and secret not in repr(key) and secret not in str(key)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"version": 1, "keys": []}',
        '{"version": 2, "keys": [{"kid": "a", "secret": "AAAA", "created_at": "2025-01-01T00:00:00Z"}]}',
        '{"version": 1, "keys": [{"kid": "a", "secret": "c2hvcnQ", "created_at": "2025-01-01T00:00:00Z"}]}',
        '{"version": 1, "keys": [{"kid": "a", "created_at": "2025-01-01T00:00:00Z"}]}',
    ],
)
def test_corrupt_file_is_a_clear_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / KEYRING_FILE
    path.write_text(content)
    path.chmod(0o600)
    with pytest.raises(
        SecretFileError, match="is not a classbridge keyring.*delete it to start over"
    ):
        Keyring.open(tmp_path)


def test_world_readable_file_is_refused(tmp_path: Path) -> None:
    Keyring.open(tmp_path).path.chmod(0o644)
    with pytest.raises(SecretFileError, match="chmod 600"):
        Keyring.open(tmp_path)


def test_deleted_file_is_a_clear_error(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    ring.path.unlink()
    with pytest.raises(SecretFileError, match="cannot read"):
        ring.signing_key()


def test_file_lists_oldest_first(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    ring.rotate()
    data = json.loads(ring.path.read_text())
    assert [k["kid"] for k in data["keys"]] == [k.kid for k in ring.keys()]
    assert data["keys"][-1]["kid"] == ring.signing_key().kid
