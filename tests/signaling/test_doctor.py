"""`classbridge doctor`'s pure parts: TURN URLs (RFC 7065) and the checks without a TURN server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from signaling.cli.doctor import TurnUrl, check_turn_url, parse_turn_url, run_checks
from signaling.server.settings import Settings


@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("turn:turn.school.vn", TurnUrl("turn.school.vn", 3478, "udp", False)),
        ("turn:turn.school.vn:3479?transport=tcp", TurnUrl("turn.school.vn", 3479, "tcp", False)),
        ("turns:turn.school.vn:443?transport=tcp", TurnUrl("turn.school.vn", 443, "tcp", True)),
        ("turns:203.0.113.5", TurnUrl("203.0.113.5", 5349, "tcp", True)),
        ("turn:[2001:db8::1]:3478", TurnUrl("2001:db8::1", 3478, "udp", False)),
    ],
)
def test_turn_urls(url: str, parsed: TurnUrl) -> None:
    assert parse_turn_url(url) == parsed


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("stun:x", "not a turn: or turns: URL"),
        ("turn:x?transport=sctp", "transport must be"),
        ("turns:x?transport=udp", "transport must be"),
        ("turn::3478", "names no host"),
        ("turn:x:http", "is not a port"),
        ("turn:x:70000", "is not a port"),
    ],
)
def test_bad_turn_urls(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_turn_url(url)


def test_a_bad_url_is_a_failed_check_not_a_crash() -> None:
    check = asyncio.run(check_turn_url("turn:x:http", "s" * 16, 0))
    assert not check.ok and "is not a port" in check.detail


def test_without_turn_the_doctor_says_what_is_missing(tmp_path: Path) -> None:
    checks = asyncio.run(run_checks(Settings.load(data_dir=tmp_path), 0))
    assert [c.ok for c in checks] == [True, True]
    assert "not configured" in checks[1].detail
    proxied = Settings.load(data_dir=tmp_path, public_url="https://lop.truong.lan")
    checks = asyncio.run(run_checks(proxied, 0))
    assert not checks[0].ok and "ice.host_addresses" in checks[0].detail
