"""TURN REST credentials: the format coturn's use-auth-secret checks, and each join gets its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

import pytest

from signaling.auth.turn_credentials import TurnCredentialIssuer, turn_credential
from signaling.server.media import connection_terms
from signaling.server.settings import Settings

SECRET = "north-gate-secret-0123456789"


def test_known_answer():
    # Computed independently: printf '1700000000:p1' | openssl dgst -sha1 -hmac 'north-gate-secret-0123456789' -binary | base64
    issued = turn_credential(SECRET, "p1", 1_700_000_000)
    expected = base64.b64encode(hmac.new(SECRET.encode(), b"1700000000:p1", hashlib.sha1).digest()).decode()
    assert issued.username == "1700000000:p1"
    assert issued.credential == expected == "OsfLkGo8PDk3KHS8CIN8wTsDNYc="


def test_a_colon_in_the_name_is_refused():
    with pytest.raises(ValueError, match="must not contain ':'"):
        turn_credential(SECRET, "a:b", 1)


def test_the_issuer_counts_the_lifetime_from_its_clock():
    issuer = TurnCredentialIssuer(urls=("turn:t.example:3478",), secret=SECRET, ttl_s=600, clock=lambda: 1000.5)
    issued = issuer.issue("abc")
    assert issued.username == "1600:abc" and issued.expires_at == 1600


def test_each_participant_gets_its_own_credentials_in_the_join_terms(tmp_path: Path):
    settings = Settings.load(
        data_dir=tmp_path,
        ice={
            "servers": [{"urls": ["stun:stun.school.vn:3478"]}],
            "turn": {"urls": ["turn:turn.school.vn:3478?transport=udp", "turns:turn.school.vn:443?transport=tcp"], "secret": SECRET, "ttl_s": 3600},
        },
    )
    terms = connection_terms(settings)
    a, b = terms.ice_servers_for("alice"), terms.ice_servers_for("bob")
    assert a[0].urls == ["stun:stun.school.vn:3478"] and a[0].username is None
    assert a[1].urls == ["turn:turn.school.vn:3478?transport=udp", "turns:turn.school.vn:443?transport=tcp"]
    assert a[1].username.endswith(":alice") and b[1].username.endswith(":bob")
    assert a[1].credential != b[1].credential
    assert SECRET not in repr(a) + repr(b)
    without = connection_terms(Settings.load(data_dir=tmp_path))
    assert without.ice_servers_for("alice") == []
