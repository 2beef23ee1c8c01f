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

from pydantic import BaseModel, Field

from classroom.models import NAME_MAX
from signaling.auth.keys import Keyring
from signaling.auth.tokens import SignedClaims, SignedTokens

AUDIENCE = "classbridge:technician"
CONSOLE_PATH = "/console"
REQUIRED_CLAIMS = ["exp", "iat", "jti", "aud", "iss", "name"]


class TechnicianClaims(SignedClaims):
    name: str = Field(min_length=1, max_length=NAME_MAX)


class TechnicianLink(BaseModel):
    link: str
    name: str
    expires_at: datetime


def check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_MAX or any(unicodedata.category(c) == "Cc" for c in name):
        raise ValueError(f"a technician's name is 1..{NAME_MAX} printable characters")
    return name


class TechnicianTokens(SignedTokens):
    audience = AUDIENCE
    required = REQUIRED_CLAIMS
    what = "technician link"

    def __init__(
        self,
        keyring: Keyring,
        public_url: str,
        default_ttl: timedelta,
        leeway: timedelta = timedelta(seconds=30),
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(keyring, default_ttl, leeway, clock)
        self.public_url = public_url.rstrip("/")

    def link(self, name: str, ttl: timedelta | None = None) -> TechnicianLink:
        """A console link for `name`: ``{public_url}/console#t=<token>`` (the fragment stays in
        the browser, out of server logs)."""
        name = check_name(name)
        iat, exp = self._lifetime(ttl)
        token = self._sign({"name": name, "iat": iat, "exp": exp, "jti": secrets.token_urlsafe(12)})
        return TechnicianLink(
            link=f"{self.public_url}{CONSOLE_PATH}#t={token}",
            name=name,
            expires_at=datetime.fromtimestamp(exp, UTC),
        )

    def verify(self, token: str) -> TechnicianClaims:
        return self._decode(token, TechnicianClaims)
