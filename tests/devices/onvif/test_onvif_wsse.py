"""WS-Security UsernameToken: the digest formula against zeep and ipycam, and the camera-side
checks (wrong password, skew window, replayed nonce, text passwords, malformed tokens)."""

from __future__ import annotations

import base64
import time

import pytest
from ipycam.onvif import compute_password_digest
from lxml import etree
from zeep.wsse.username import UsernameToken as ZeepToken

from devices.errors import ProtocolError
from devices.onvif.soap import SOAP_ENV, Envelope
from devices.sim.onvif.wsse import TokenVerifier, UsernameToken, parse_created, password_digest

NONCE = bytes(range(16))
CREATED = "2026-11-28T10:00:00Z"
NOW = parse_created(CREATED)


def zeep_request(password: str, *, digest: bool = True) -> bytes:
    """A SOAP envelope carrying the UsernameToken zeep (the driver's library) writes."""
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap-env": SOAP_ENV})
    etree.SubElement(root, f"{{{SOAP_ENV}}}Header")
    etree.SubElement(etree.SubElement(root, f"{{{SOAP_ENV}}}Body"), "{urn:x}Op")
    envelope, _ = ZeepToken("tech", password, use_digest=digest, zulu_timestamp=True).apply(root, {})
    return etree.tostring(envelope)


def token(secret: str = "s3cret", nonce: bytes = NONCE, created: str = CREATED, **changes: object) -> UsernameToken:
    """A digest token for `secret`, made as a client makes it; `changes` override fields."""
    fields: dict[str, object] = {
        "username": "tech", "password": password_digest(nonce, created, secret), "digest": True,
        "nonce": nonce, "created": created,
    }
    fields.update(changes)
    return UsernameToken(**fields)  # type: ignore[arg-type]


def test_digest_matches_ipycam() -> None:
    nonce_b64 = base64.b64encode(NONCE).decode()
    assert password_digest(NONCE, CREATED, "pässword") == compute_password_digest(nonce_b64, CREATED, "pässword")


def test_accepts_what_zeep_sends_and_refuses_a_wrong_password() -> None:
    verifier = TokenVerifier("tech", "s3cret")
    good = UsernameToken.from_header(Envelope.parse(zeep_request("s3cret")).header)
    assert good is not None and good.digest and len(good.nonce) == 16
    assert verifier.check(good, time.time()) is None
    bad = UsernameToken.from_header(Envelope.parse(zeep_request("guess")).header)
    assert verifier.check(bad, time.time()) == "wrong password"


def test_text_passwords() -> None:
    verifier = TokenVerifier("tech", "s3cret")
    sent = UsernameToken.from_header(Envelope.parse(zeep_request("s3cret", digest=False)).header)
    assert sent is not None and not sent.digest
    assert verifier.check(sent, time.time()) is None
    assert verifier.check(token(password="nope", digest=False), NOW) == "wrong password"
    assert verifier.check(token(password="s3cret", digest=False), NOW) is None


def test_created_outside_the_skew_window_is_refused() -> None:
    verifier = TokenVerifier("tech", "s3cret", max_skew=300)
    assert verifier.check(token(), NOW + 299) is None
    assert "allowed ±300 s" in str(TokenVerifier("tech", "s3cret").check(token(), NOW + 301))
    assert "-301 s" in str(TokenVerifier("tech", "s3cret").check(token(), NOW + 301))


def test_a_replayed_nonce_is_refused_and_forgotten_after_the_window() -> None:
    verifier = TokenVerifier("tech", "s3cret", max_skew=300)
    assert verifier.check(token(), NOW) is None
    assert verifier.check(token(), NOW + 1) == "nonce replayed"
    later = "2026-11-28T10:10:00Z"
    assert verifier.check(token(nonce=b"n" * 16, created=later), NOW + 600) is None
    assert NONCE not in verifier._seen


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (None, "no UsernameToken"),
        (token(username="root"), "unknown user"),
        (token(nonce=b""), "without Nonce"),
        (token(created="yesterday"), "not an ISO 8601"),
        (token(secret="guess"), "wrong password"),
    ],
)
def test_refusals_say_why(sent: UsernameToken | None, reason: str) -> None:
    assert reason in str(TokenVerifier("tech", "s3cret").check(sent, NOW))


def test_created_with_an_offset_or_none() -> None:
    assert parse_created("2026-11-28T11:00:00+01:00") == NOW
    assert parse_created("2026-11-28T10:00:00") == NOW


def header(inner: str) -> bytes:
    return (
        f'<s:Envelope xmlns:s="{SOAP_ENV}" xmlns:w="urn:wsse"><s:Header><w:Security>{inner}'
        "</w:Security></s:Header><s:Body><Op/></s:Body></s:Envelope>"
    ).encode()


def test_malformed_tokens_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="without Username or Password"):
        UsernameToken.from_header(Envelope.parse(header("<w:UsernameToken><w:Username>a</w:Username></w:UsernameToken>")).header)
    with pytest.raises(ProtocolError, match="not Base64"):
        UsernameToken.from_header(Envelope.parse(header(
            "<w:UsernameToken><w:Username>a</w:Username><w:Password>p</w:Password>"
            "<w:Nonce>!!!</w:Nonce></w:UsernameToken>"
        )).header)
    assert UsernameToken.from_header(Envelope.parse(header("")).header) is None
