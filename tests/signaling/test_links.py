from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from classroom.roles import Role
from signaling.auth.keys import Keyring
from signaling.auth.links import JoinLinks
from signaling.auth.tokens import TokenService


def make(tmp_path: Path, public_url: str) -> JoinLinks:
    return JoinLinks(TokenService(Keyring.open(tmp_path), timedelta(hours=1)), public_url)


def test_token_in_fragment_and_verifiable(tmp_path: Path) -> None:
    links = make(tmp_path, "https://lop.truong.edu.vn/cb/")
    link = links.link("abc", Role.TRAINEE, external_id="HV1", name="Lan")
    base, token = link.url.split("#t=")
    assert base == "https://lop.truong.edu.vn/cb/join"
    assert "?" not in link.url  # nothing in the query string: servers log those
    claims = links.tokens.verify(token, "abc")
    assert claims == link.claims and claims.external_id == "HV1"


def test_one_link_per_role(tmp_path: Path) -> None:
    links = make(tmp_path, "http://127.0.0.1:8000")
    by_role = links.for_every_role("abc")
    assert set(by_role) == set(Role)
    for role, link in by_role.items():
        assert links.tokens.verify(link.url.split("#t=")[1], "abc").role is role
