from __future__ import annotations

import stat
import threading
from pathlib import Path

import pytest

from signaling.errors import SecretFileError
from signaling.auth.secret_file import create_secret, read_secret, replace_secret


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_created_owner_only_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret"
    assert create_secret(path, "first") is True
    assert create_secret(path, "second") is False
    assert read_secret(path) == "first"
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary files left


def test_replace_is_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    replace_secret(path, "a")
    replace_secret(path, "b")
    assert read_secret(path) == "b" and mode(path) == 0o600


def test_racing_creators_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(create_secret(path, f"v{i}")))
        for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert read_secret(path) in {f"v{i}" for i in range(8)}


def test_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    create_secret(path, "x")
    path.chmod(0o644)
    with pytest.raises(
        SecretFileError, match=r"readable by other users \(mode 644\); run: chmod 600"
    ):
        read_secret(path)


def test_missing_and_binary(tmp_path: Path) -> None:
    with pytest.raises(SecretFileError, match="cannot read .*nope"):
        read_secret(tmp_path / "nope")
    path = tmp_path / "bin"
    path.write_bytes(b"\xff\xfe")
    path.chmod(0o600)
    with pytest.raises(SecretFileError, match="not UTF-8"):
        read_secret(path)


def test_unwritable_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SecretFileError, match="cannot write"):
        create_secret(blocker / "secret", "x")
