"""Technician links: signed for a name, expiring, and never confused with join links."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from classroom.roles import Role
from signaling.errors import TokenError
from signaling.auth.keys import Keyring
from signaling.auth.technicians import TechnicianTokens, check_name
from signaling.auth.tokens import TokenService

NOW = 1_750_000_000.0


def tokens(tmp_path: Path, clock: float = NOW) -> TechnicianTokens:
    ring = Keyring.open(tmp_path)
    return TechnicianTokens(ring, "https://truong.lan/", timedelta(days=30), clock=lambda: clock)


def token_of(link: str) -> str:
    return link.split("#t=", 1)[1]


def test_a_link_names_its_technician(tmp_path: Path) -> None:
    issued = tokens(tmp_path).link("Trần Văn Tuấn")
    assert issued.link.startswith("https://truong.lan/console#t=")
    assert issued.expires_at.timestamp() == NOW + 30 * 86400
    claims = tokens(tmp_path).verify(token_of(issued.link))
    assert claims.name == "Trần Văn Tuấn"


def test_expiry_and_tampering(tmp_path: Path) -> None:
    issued = tokens(tmp_path).link("A", ttl=timedelta(hours=1))
    with pytest.raises(TokenError) as expired:
        tokens(tmp_path, clock=NOW + 7200).verify(token_of(issued.link))
    assert expired.value.code == "token_expired"
    token = token_of(issued.link)
    with pytest.raises(TokenError, match="not valid"):
        tokens(tmp_path).verify(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    with pytest.raises(ValueError, match="positive"):
        tokens(tmp_path).link("A", ttl=timedelta(0))


def test_rotating_with_drop_old_revokes_links(tmp_path: Path) -> None:
    issued = tokens(tmp_path).link("A")
    Keyring.open(tmp_path).rotate(drop_old=True)
    with pytest.raises(TokenError, match="no longer valid"):
        tokens(tmp_path).verify(token_of(issued.link))


def test_join_links_and_technician_links_do_not_open_each_other(tmp_path: Path) -> None:
    ring = Keyring.open(tmp_path)
    joins = TokenService(ring, timedelta(hours=1), clock=lambda: NOW)
    join = joins.issue("abc", Role.LECTURER)
    with pytest.raises(TokenError):
        tokens(tmp_path).verify(join)
    technician = token_of(tokens(tmp_path).link("A").link)
    with pytest.raises(TokenError):
        joins.verify_any(technician)


@pytest.mark.parametrize("name", ["", "   ", "a\tb", "x" * 101])
def test_names(name: str) -> None:
    with pytest.raises(ValueError, match="printable"):
        check_name(name)
    assert check_name("  Lan  ") == "Lan"
