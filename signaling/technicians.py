"""Technician links: a signed token that opens the technician console for one named person.

Same machinery as join links (the keyring's newest key signs, HS256, PyJWT), with its own
audience so that neither kind of token opens the other's door. The name travels in the token
and goes into the audit log with everything the technician does. Issued by the admin (REST
``POST /api/technicians/links`` or ``classbridge technician link``); rotating the keys with
``--drop-old`` revokes every technician link at once, as it does join links.
"""

from __future__ import annotations

import secrets
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from classroom.models import NAME_MAX
from signaling.errors import TokenError
from signaling.keys import Keyring
from signaling.tokens import ALGORITHM, ISSUER, MAX_TOKEN_CHARS

AUDIENCE = "classbridge:technician"
CONSOLE_PATH = "/console"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "aud", "iss", "name"]


class TechnicianClaims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str = Field(min_length=1, max_length=NAME_MAX)
    exp: datetime
    iat: datetime
    jti: str = Field(min_length=1, max_length=64)


class TechnicianLink(BaseModel):
    link: str
    name: str
    expires_at: datetime


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(unicodedata.category(c) == "Cc" for c in name):
        raise ValueError(f"a technician's name is 1..{NAME_MAX} printable characters")
    return name


class TechnicianTokens:
    def __init__(
        self,
        keyring: Keyring,
        public_url: str,
        default_ttl: timedelta,
        leeway: timedelta = timedelta(seconds=30),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keyring = keyring
        self.public_url = public_url.rstrip("/")
        self.default_ttl = default_ttl
        self.leeway = leeway
        self._clock = clock

    def link(self, name: str, ttl: timedelta | None = None) -> TechnicianLink:
        """A console link for `name`: ``{public_url}/console#t=<token>`` (the fragment stays in
        the browser, out of server logs)."""
        name = check_name(name)
        ttl = self.default_ttl if ttl is None else ttl
        if ttl <= timedelta(0):
            raise ValueError("a technician link's lifetime must be positive")
        now = int(self._clock())
        expires = now + int(ttl.total_seconds())
        payload = {
            "name": name, "iat": now, "exp": expires, "jti": secrets.token_urlsafe(12),
            "iss": ISSUER, "aud": AUDIENCE,
        }  # fmt: skip
        key = self.keyring.signing_key()
        token = jwt.encode(payload, key.key_bytes, algorithm=ALGORITHM, headers={"kid": key.kid})
        return TechnicianLink(
            link=f"{self.public_url}{CONSOLE_PATH}#t={token}",
            name=name,
            expires_at=datetime.fromtimestamp(expires, UTC),
        )

    def verify(self, token: str) -> TechnicianClaims:
        invalid = TokenError("this technician link is not valid", code="token_invalid")
        if not token or len(token) > MAX_TOKEN_CHARS:
            raise invalid
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            raise invalid from None
        key = self.keyring.verification_key(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenError("this technician link was signed with a key that is no longer valid")
        try:
            payload = jwt.decode(
                token, key.key_bytes, algorithms=[ALGORITHM], audience=AUDIENCE, issuer=ISSUER,
                options={"verify_exp": False, "verify_iat": False, "require": REQUIRED_CLAIMS},
            )  # fmt: skip
            claims = TechnicianClaims.model_validate(payload)
        except (jwt.InvalidTokenError, ValidationError):
            raise invalid from None
        now, leeway = self._clock(), self.leeway.total_seconds()
        if claims.exp.timestamp() + leeway < now:
            raise TokenError("this technician link has expired; ask for a new one", code="token_expired")
        if claims.iat.timestamp() - leeway > now:
            raise invalid
        return claims
