"""The public media address rule: public join links need a relay address browsers can reach."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from signaling.cli.main import app
from signaling.errors import SettingsError
from signaling.server.media_network import media_address_problem
from signaling.server.settings import Settings
from tests.signaling.conftest import serve

runner = CliRunner()


def test_serve_behind_a_proxy_refuses_a_loopback_only_relay(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["serve", "--data-dir", str(tmp_path), "--host", "127.0.0.1"],
        env={"CLASSBRIDGE_PUBLIC_URL": "https://lop.truong.lan"},
    )
    assert result.exit_code == 2, result.output
    assert "join links are public (https://lop.truong.lan)" in result.output
    assert "only 127.0.0.1" in result.output
    assert "CLASSBRIDGE_ICE__HOST_ADDRESSES=" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "overrides",
    [
        {},  # everything on loopback: a demo on this machine
        {"public_url": "http://localhost:8000"},
        {"public_url": "https://lop.truong.lan", "ice": {"host_addresses": ["192.0.2.10"]}},
        {"public_url": "https://lop.truong.lan", "ice": {"public_address": "203.0.113.7"}},
    ],
)
def test_reachable_media_is_accepted(tmp_path: Path, overrides: dict) -> None:
    assert media_address_problem(Settings.load(data_dir=tmp_path, **overrides)) is None


def test_a_public_url_with_loopback_host_addresses_is_a_problem(tmp_path: Path) -> None:
    settings = Settings.load(
        data_dir=tmp_path, public_url="http://192.0.2.10:8000", ice={"host_addresses": ["127.0.0.1"]}
    )
    problem = media_address_problem(settings)
    assert problem is not None and "ice.public_address" in problem


def test_behind_an_https_proxy_the_banner_does_not_advise_tls_cert(tmp_path: Path) -> None:
    server = serve(
        tmp_path / "data",
        env={"CLASSBRIDGE_PUBLIC_URL": "https://lop.truong.lan", "CLASSBRIDGE_ICE__PUBLIC_ADDRESS": "192.0.2.10"},
    )
    output = server.stop()
    assert "join links:   https://lop.truong.lan/join" in output
    assert "--tls-cert" not in output


def test_port_settings_are_validated(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="udp_port_min and udp_port_max: give both"):
        Settings.load(data_dir=tmp_path, ice={"udp_port_min": 50000})
    with pytest.raises(SettingsError, match="must not be above"):
        Settings.load(data_dir=tmp_path, ice={"udp_port_min": 50010, "udp_port_max": 50000})
    with pytest.raises(SettingsError, match="choose one"):
        Settings.load(data_dir=tmp_path, ice={"udp_port_min": 50000, "udp_port_max": 50010, "udp_port": 50000})
    with pytest.raises(SettingsError, match="ice.udp_port"):
        Settings.load(data_dir=tmp_path, ice={"udp_port": 80})
    with pytest.raises(SettingsError, match="must start with turn: or turns:"):
        Settings.load(data_dir=tmp_path, ice={"turn": {"urls": "stun:x", "secret": "s" * 16}})
    with pytest.raises(SettingsError, match="at least 16"):
        Settings.load(data_dir=tmp_path, ice={"turn": {"urls": "turn:x", "secret": "short"}})


def test_single_port_mode_gives_each_worker_its_own_port(tmp_path: Path) -> None:
    Settings.load(data_dir=tmp_path, workers=2, ice={"udp_port": 50000, "tcp_port": 50000})
    Settings.load(data_dir=tmp_path, workers=2, ice={"udp_port_min": 50000, "udp_port_max": 50100})
    with pytest.raises(SettingsError, match="needs ports up to 65536"):
        Settings.load(data_dir=tmp_path, workers=2, ice={"udp_port": 65535})
    with pytest.raises(SettingsError, match="needs ports up to 65537"):
        Settings.load(data_dir=tmp_path, workers=3, ice={"tcp_port": 65535})
    with pytest.raises(SettingsError, match="must not include port"):
        Settings.load(data_dir=tmp_path, workers=2, port=8001, ice={"tcp_port": 8000})
    with pytest.raises(SettingsError, match="must differ from port"):
        Settings.load(data_dir=tmp_path, port=8000, ice={"tcp_port": 8000})
