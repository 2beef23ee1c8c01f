"""WS-Security UsernameToken (digest and text), checked the way an ONVIF camera checks it.

PasswordDigest = Base64(SHA-1(nonce_raw + Created + password)) (OASIS WSS UsernameToken
Profile 1.0 §3.1; the same formula as zeep's `_create_password_digest`). A camera also
refuses a Created timestamp outside its skew window (ipycam allows ±300 s) and a nonce it
has already seen in that window (replay). Sans-I/O: the clock is a parameter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime

from devices.errors import ProtocolError
from devices.onvif.soap import Node

PASSWORD_DIGEST = "#PasswordDigest"
PASSWORD_TEXT = "#PasswordText"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """The PasswordDigest value for a nonce (raw bytes), a Created string and a password."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()


def parse_created(value: str) -> float:
    """A wsu:Created timestamp (`2026-11-28T15:00:00Z` or with an offset) as POSIX seconds."""
    try:
        moment = datetime.fromisoformat(value.strip())  # 3.11 reads the "Z" suffix too
    except ValueError:
        raise ProtocolError(f"Created {value!r} is not an ISO 8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(frozen=True)
class UsernameToken:
    username: str
    password: str
    digest: bool
    nonce: bytes = b""
    created: str = ""

    @classmethod
    def from_header(cls, header: Node | None) -> UsernameToken | None:
        """The token inside a SOAP header's wsse:Security block, or None when there is none."""
        token = header.find("Security/UsernameToken") if header is not None else None
        if token is None:
            return None
        password = token.child("Password")
        if password is None or token.findtext("Username") is None:
            raise ProtocolError("UsernameToken without Username or Password")
        digest = not password.attrib.get("Type", PASSWORD_DIGEST).endswith(PASSWORD_TEXT)
        try:
            nonce = base64.b64decode(token.findtext("Nonce") or "", validate=True)
        except binascii.Error:
            raise ProtocolError("UsernameToken Nonce is not Base64") from None
        return cls(
            username=token.findtext("Username") or "",
            password=password.text,
            digest=digest,
            nonce=nonce,
            created=token.findtext("Created") or "",
        )


@dataclass
class TokenVerifier:
    """Checks tokens against one account; remembers nonces for the length of the skew window."""

    username: str
    password: str
    max_skew: float = 300.0
    _seen: dict[bytes, float] = field(default_factory=dict, repr=False)

    def check(self, token: UsernameToken | None, now: float) -> str | None:
        """None when the token is good at camera time `now`; otherwise the reason it is refused."""
        if token is None:
            return "no UsernameToken in the request"
        if not hmac.compare_digest(token.username.encode(), self.username.encode()):
            return "unknown user"
        if not token.digest:
            ok = hmac.compare_digest(token.password.encode(), self.password.encode())
            return None if ok else "wrong password"
        if not token.nonce or not token.created:
            return "digest token without Nonce or Created"
        try:
            created = parse_created(token.created)
        except ProtocolError as exc:
            return str(exc)
        if abs(now - created) > self.max_skew:
            return f"Created is {created - now:+.0f} s from the camera clock (allowed ±{self.max_skew:.0f} s)"
        expected = password_digest(token.nonce, token.created, self.password)
        if not hmac.compare_digest(expected.encode(), token.password.encode()):
            return "wrong password"
        self._forget_before(now - self.max_skew)
        if token.nonce in self._seen:
            return "nonce replayed"
        self._seen[token.nonce] = created
        return None

    def _forget_before(self, limit: float) -> None:
        for nonce in [n for n, at in self._seen.items() if at < limit]:
            del self._seen[nonce]
