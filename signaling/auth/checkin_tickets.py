"""Check-in tickets and the check-in secret.

A trainee who typed the room's PIN gets a ticket: a signed token (its own audience, so it
opens nothing else) naming the class, valid for a quarter of an hour, which lets their phone
search the roster and check in. The PIN itself is derived from the check-in secret
(<data_dir>/checkin-secret, created on first use, owner-only) by classroom/checkin/codes.py;
every process of the server reads the same file, so they all agree on the PIN.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import Field

from signaling.auth.secret_file import create_secret, read_secret
from signaling.auth.tokens import SignedClaims, SignedTokens
from signaling.errors import SecretFileError

AUDIENCE = "classbridge:checkin"
SECRET_FILE = "checkin-secret"
TICKET_TTL = timedelta(minutes=15)


class TicketClaims(SignedClaims):
    class_id: str = Field(min_length=1, max_length=64)


class CheckInTickets(SignedTokens):
    audience = AUDIENCE
    required = ["exp", "iat", "jti", "aud", "iss", "class_id"]
    what = "check-in"

    def issue(self, class_id: str) -> tuple[str, datetime]:
        iat, exp = self._lifetime(None)
        token = self._sign({"class_id": class_id, "iat": iat, "exp": exp, "jti": secrets.token_urlsafe(9)})
        return token, datetime.fromtimestamp(exp, UTC)

    def verify(self, token: str) -> TicketClaims:
        return self._decode(token, TicketClaims)


def load_checkin_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    create_secret(path, secrets.token_hex(32) + "\n")
    value = read_secret(path).strip()
    if len(value) < 32:
        raise SecretFileError(f"{path} holds a secret shorter than 32 characters; delete it to regenerate")
    return value.encode()
