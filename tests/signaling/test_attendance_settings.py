"""The attendance settings: heartbeat bounds, and the webhook URL and secret going together."""

from __future__ import annotations

from pathlib import Path

import pytest

from signaling.errors import SettingsError
from signaling.server.settings import Settings
from signaling.webhooks.signing import new_secret


def problems(tmp_path: Path, **attendance: object) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.load(data_dir=tmp_path, attendance=attendance)
    return str(caught.value)


def test_defaults_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    s = Settings.load(data_dir=tmp_path)
    assert s.attendance.heartbeat_s == 2.0 and s.attendance.webhook_url is None
    secret = new_secret()
    monkeypatch.setenv("CLASSBRIDGE_ATTENDANCE__WEBHOOK_URL", "https://qldt.example.edu.vn/hooks")
    monkeypatch.setenv("CLASSBRIDGE_ATTENDANCE__WEBHOOK_SECRET", secret)
    s = Settings.load(data_dir=tmp_path)
    assert s.attendance.webhook_secret is not None and s.attendance.webhook_secret.get_secret_value() == secret
    assert secret not in repr(s)


def test_bad_values_are_named(tmp_path: Path) -> None:
    assert "heartbeat_s" in problems(tmp_path, heartbeat_s=6)
    assert "set both or neither" in problems(tmp_path, webhook_url="https://x.example/h")
    assert "http:// or https://" in problems(tmp_path, webhook_url="ftp://x", webhook_secret=new_secret())
    assert "must start with 'whsec_'" in problems(tmp_path, webhook_url="https://x.example/h", webhook_secret="abc")
    assert "base64" in problems(tmp_path, webhook_url="https://x.example/h", webhook_secret="whsec_!!!")
    assert "24 bytes" in problems(tmp_path, webhook_url="https://x.example/h", webhook_secret="whsec_YWJj")
