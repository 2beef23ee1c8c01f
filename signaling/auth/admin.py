"""The admin bearer token that guards the REST API.

It is ``CLASSBRIDGE_ADMIN_TOKEN`` (or ``admin_token`` in the config file) when set; otherwise
one is generated on first start into <data_dir>/admin-token (owner-only) and reused after.
It is never logged in full: logs and the start-up banner show where it is and a short prefix.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path

from signaling.errors import SecretFileError
from signaling.auth.secret_file import create_secret, read_secret
from signaling.server.settings import Settings

ADMIN_TOKEN_FILE = "admin-token"
PREFIX_CHARS = 4


@dataclass(frozen=True)
class AdminToken:
    value: str
    path: Path | None  # the file it was read from; None when it came from the settings
    created: bool = False  # True when this start generated it

    def matches(self, presented: str) -> bool:
        return hmac.compare_digest(presented.encode(), self.value.encode())

    def describe(self) -> str:
        """Where the token is, and enough of it to tell two tokens apart; never the token."""
        prefix = f"starts with {self.value[:PREFIX_CHARS]}…"
        if self.path is None:
            return f"from CLASSBRIDGE_ADMIN_TOKEN / admin_token setting ({prefix})"
        return f"in {self.path} ({prefix})"

    def __repr__(self) -> str:
        return f"AdminToken({self.describe()})"


def load_admin_token(settings: Settings) -> AdminToken:
    if settings.admin_token is not None:
        return AdminToken(settings.admin_token.get_secret_value(), None)
    path = settings.data_dir / ADMIN_TOKEN_FILE
    created = create_secret(path, secrets.token_urlsafe(32) + "\n")
    value = read_secret(path).strip()
    if len(value) < 16:
        raise SecretFileError(
            f"{path} holds a token shorter than 16 characters; delete it to regenerate"
        )
    return AdminToken(value, path, created)
