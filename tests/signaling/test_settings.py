from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import pytest

from classroom.seat_limits import SeatLimits
from signaling.errors import SettingsError
from signaling.server.media import seat_limits
from signaling.server.settings import Settings, interface_addresses


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_local_and_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    s = Settings.load()
    assert (s.host, s.port) == ("127.0.0.1", 8000)
    assert s.data_dir == tmp_path / "data"
    assert s.database_url == f"sqlite:///{tmp_path / 'data' / 'classbridge.db'}"
    assert s.public_url == "http://127.0.0.1:8000"
    assert s.admin_token is None and not s.tls
    assert s.ice.servers == []  # never a public STUN server by default
    assert s.ice_host_addresses() == ["127.0.0.1"]
    assert s.signaling.max_message_bytes == 65536
    assert s.link_ttl_hours == 168


def test_sources_in_order_flags_env_file_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(tmp_path / "c.yaml", "port: 9001\nhost: 127.0.0.2\nlog_level: debug\n")
    monkeypatch.setenv("CLASSBRIDGE_PORT", "9002")
    monkeypatch.setenv("CLASSBRIDGE_HOST", "127.0.0.3")
    s = Settings.load(config_file=config, port=9003)
    assert s.port == 9003  # flag beats env
    assert s.host == "127.0.0.3"  # env beats file
    assert s.log_level == "debug"  # file beats default
    assert s.link_ttl_hours == 168  # default


def test_config_file_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSBRIDGE_CONFIG_FILE", str(write(tmp_path / "c.yaml", "port: 9100\n")))
    assert Settings.load().port == 9100


def test_nested_env_merges_with_nested_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write(
        tmp_path / "c.yaml",
        "ice:\n  servers:\n    - urls: [stun:stun.truong.edu.vn:3478]\n"
        "signaling:\n  rate_burst: 10\n",
    )
    monkeypatch.setenv("CLASSBRIDGE_ICE__PUBLIC_ADDRESS", "203.0.113.7")
    monkeypatch.setenv("CLASSBRIDGE_SIGNALING__MAX_VIOLATIONS", "5")
    s = Settings.load(config_file=config)
    assert s.ice.servers[0].urls == ["stun:stun.truong.edu.vn:3478"]
    assert s.ice.public_address == "203.0.113.7"
    assert (s.signaling.rate_burst, s.signaling.max_violations) == (10, 5)


def test_ice_servers_as_json_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "CLASSBRIDGE_ICE__SERVERS",
        '[{"urls": "turn:turn.truong.edu.vn:3478", "username": "cb", "credential": "s3cret"}]',
    )
    server = Settings.load().ice.servers[0]
    assert server.urls == ["turn:turn.truong.edu.vn:3478"]
    assert server.credential is not None and server.credential.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(server)


def test_derived_urls(tmp_path: Path) -> None:
    assert Settings.load(port=443, data_dir=tmp_path).public_url == "http://127.0.0.1:443"
    s = Settings.load(host="::1", port=8443, data_dir=tmp_path)
    assert s.public_url == s.local_url() == "http://[::1]:8443"
    s = Settings.load(public_url="https://lop.truong.edu.vn/classbridge/", data_dir=tmp_path)
    assert s.public_url == "https://lop.truong.edu.vn/classbridge"
    s = Settings.load(host="0.0.0.0", data_dir=tmp_path)
    assert s.local_url() == "http://127.0.0.1:8000"
    assert "0.0.0.0" not in (s.public_url or "")


def test_tls_changes_scheme_and_default_port(tmp_path: Path) -> None:
    cert, key = write(tmp_path / "c.pem", "x"), write(tmp_path / "k.pem", "x")
    s = Settings.load(tls_cert=cert, tls_key=key, port=443, data_dir=tmp_path)
    assert s.tls and s.public_url == "https://127.0.0.1"


def test_database_url_kept_as_given(tmp_path: Path) -> None:
    url = "postgresql+psycopg://classbridge:pw@db.truong.lan/classbridge"
    assert Settings.load(database_url=url, data_dir=tmp_path).database_url == url


def test_ice_host_addresses(tmp_path: Path) -> None:
    explicit = Settings.load(host="0.0.0.0", ice={"host_addresses": ["10.1.2.3", "fd00::5"]})
    assert explicit.ice_host_addresses() == ["10.1.2.3", "fd00::5"]
    assert Settings.load(host="localhost").ice_host_addresses() == ["127.0.0.1"]
    derived = Settings.load(host="0.0.0.0").ice_host_addresses()
    assert derived == interface_addresses()
    for text in derived:
        addr = ipaddress.ip_address(text)
        assert not addr.is_loopback and not addr.is_link_local


def errors_of(**kwargs: object) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.load(**kwargs)
    return caught.value.message


def test_errors_name_field_and_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(
        tmp_path / "c.yaml",
        "port: 70000\nice:\n  servers:\n    - urls: [turn:turn.lan]\n      username: cb\n",
    )
    monkeypatch.setenv("CLASSBRIDGE_ICE__PUBLIC_ADDRESS", "not-an-ip")
    message = errors_of(config_file=config, link_ttl_hours=-1)
    assert (
        f"port: Input should be less than or equal to 65535 (from config file {config})" in message
    )
    assert "ice.servers.0: a TURN server needs both username and credential" in message
    assert "(from environment variable CLASSBRIDGE_ICE__PUBLIC_ADDRESS)" in message
    assert "link_ttl_hours: Input should be greater than 0 (from the command line)" in message


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"admin_token": "short"}, "admin_token: use at least 16 characters"),
        ({"public_url": "lop.truong.edu.vn"}, "public_url: use an http:// or https:// URL"),
        ({"public_url": "https://x/?a=1"}, "without query or fragment"),
        ({"database_url": "not a url"}, "database_url: not a SQLAlchemy database URL"),
        ({"log_level": "loud"}, "log_level: Input should be"),
        ({"ice": {"servers": [{"urls": ["http://stun"]}]}}, "must start with one of stun:"),
        ({"ice": {"servers": [{"urls": []}]}}, "ice.servers.0.urls"),
        ({"ice": {"host_addresses": ["eth0"]}}, "'eth0' is not an IPv4 or IPv6 address"),
        ({"ice": {"udp_port_range": [1, 2]}}, "ice.udp_port_range: Extra inputs are not permitted"),
        ({"signaling": {"rate_per_second": 0}}, "signaling.rate_per_second"),
        ({"port": 0}, "port: Input should be greater than or equal to 1"),
    ],
)
def test_bad_values(kwargs: dict[str, object], expected: str) -> None:
    assert expected in errors_of(**kwargs)


def test_tls_needs_both_readable_files(tmp_path: Path) -> None:
    cert = write(tmp_path / "c.pem", "x")
    assert "give both to serve HTTPS, or neither" in errors_of(tls_cert=cert)
    missing = tmp_path / "missing.pem"
    assert (
        f"tls_key: {missing} does not exist or is not a readable file (from the command line)"
        in (errors_of(tls_cert=cert, tls_key=missing))
    )
    assert "tls_cert:" in errors_of(tls_cert=tmp_path, tls_key=cert)  # a directory


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_tls_file(tmp_path: Path) -> None:
    cert, key = write(tmp_path / "c.pem", "x"), write(tmp_path / "k.pem", "x")
    key.chmod(0)
    assert "tls_key:" in errors_of(tls_cert=cert, tls_key=key)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("port: [\n", "is not valid YAML at line 2, column 1"),
        ("- a\n- b\n", "must hold a mapping of settings at the top level"),
        ("config_file: other.yaml\n", "config_file cannot be set inside a config file"),
        ("prot: 8000\n", "prot: Extra inputs are not permitted (from config file"),
    ],
)
def test_bad_config_files(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in errors_of(config_file=write(tmp_path / "c.yaml", text))


def test_missing_and_binary_config_files(tmp_path: Path) -> None:
    assert "cannot read config file" in errors_of(config_file=tmp_path / "nope.yaml")
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\xff\xfe\x00port")
    assert "is not UTF-8 text" in errors_of(config_file=binary)


def test_empty_config_file_means_defaults(tmp_path: Path) -> None:
    assert Settings.load(config_file=write(tmp_path / "c.yaml", "# nothing\n")).port == 8000


def test_bad_json_in_env_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLASSBRIDGE_ICE__SERVERS", "[{not json")
    assert "CLASSBRIDGE_ICE__SERVERS: not valid JSON" in errors_of()


def test_example_config_is_valid() -> None:
    example = Path(__file__).parents[2] / "config" / "classbridge.example.yaml"
    s = Settings.load(config_file=example)
    assert s.ice.servers == [] and s.ice.public_address is None


def test_rooms_are_simulated_only_without_a_rooms_file(tmp_path: Path) -> None:
    assert Settings.load(data_dir=tmp_path).rooms_simulated is True
    rooms = write(tmp_path / "rooms.yaml", "rooms: []\n")
    assert Settings.load(data_dir=tmp_path, rooms_file=rooms).rooms_simulated is False
    assert Settings.load(data_dir=tmp_path, rooms_file=rooms, rooms_simulated=True).rooms_simulated is True
    assert "does not exist" in errors_of(rooms_file=tmp_path / "missing.yaml")


def test_the_class_size_counts_trainees_and_the_other_roles_have_their_own_limits(tmp_path: Path) -> None:
    assert seat_limits(Settings.load(config_file=write(tmp_path / "d.yaml", "{}\n"))) == SeatLimits(
        trainees=300, lecturers=5, rooms=2, observers=20
    )
    config = write(
        tmp_path / "c.yaml",
        "signaling:\n  max_participants_per_class: 40\n  max_lecturers_per_class: 2\n"
        "  max_rooms_per_class: 3\n  max_observers_per_class: 0\n",
    )
    assert seat_limits(Settings.load(config_file=config)) == SeatLimits(trainees=40, lecturers=2, rooms=3, observers=0)
    with pytest.raises(SettingsError, match="max_rooms_per_class"):
        Settings.load(config_file=write(tmp_path / "bad.yaml", "signaling:\n  max_rooms_per_class: 0\n"))
